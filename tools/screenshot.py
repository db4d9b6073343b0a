"""Screenshots of a report folder in headless Chromium, to look at what a reader sees.

    python tools/screenshot.py reports shots                 # 1400 and 400 px wide
    python tools/screenshot.py reports shots --widths 1400 --height 2400

Shoots the index, the largest story page, its first pair page and the story's original's
document page, at each width, the top ``--height`` pixels of each (the whole page with
``--full``). Uses Debian's ``chromium`` (``bash scripts/install-browser.sh``) through the
``playwright`` package; no network, nothing downloaded.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("no chromium found: bash scripts/install-browser.sh")


def pages(report: Path) -> dict[str, Path]:
    """index, the largest story, a pair page and a document page of that story."""
    out = {"index": report / "index.html"}
    stories = sorted((report / "stories").glob("story-*.html"))
    if stories:
        story = stories[0]
        out["story"] = story
        html = story.read_text(encoding="utf-8")
        pair = re.search(r'href="\.\./(pairs/[^"#]+\.html)"', html)
        doc = re.search(r'href="\.\./(docs/[^"#]+\.html)"', html)
        if pair:
            out["pair"] = report / pair.group(1)
        if doc:
            out["document"] = report / doc.group(1)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("report", type=Path, help="report folder (with index.html)")
    ap.add_argument("out", type=Path, help="folder for the screenshots")
    ap.add_argument("--widths", type=int, nargs="+", default=[1400, 400])
    ap.add_argument("--height", type=int, default=1800)
    ap.add_argument("--full", action="store_true", help="the whole page, not the top")
    args = ap.parse_args(argv)
    report = args.report.resolve()
    if not (report / "index.html").is_file():
        print(f"{report}: no index.html", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=_ARGS)
        try:
            for width in args.widths:
                ctx = browser.new_context(viewport={"width": width, "height": args.height})
                page = ctx.new_page()
                for name, path in pages(report).items():
                    page.goto(path.as_uri(), wait_until="load")
                    shot = args.out / f"{name}-{width}.png"
                    page.screenshot(path=str(shot), full_page=args.full)
                    print(shot)
                ctx.close()
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
