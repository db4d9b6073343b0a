"""Screenshots of a report folder in headless Chromium, to look at what a reader sees.

    python tools/screenshot.py reports shots            # index, first pair page, pictures
    python tools/screenshot.py reports shots --height 2400 --width 1400

Uses the Debian ``chromium`` binary (``apt-get install chromium``); no network, a
throw-away profile per shot. PNG pictures are wrapped in a tiny local HTML page so they
are shown at their natural size on white.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from lineage.files import write_text_atomic

_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
]


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("no chromium found: apt-get install -y chromium")


def shoot(url: str, out: Path, *, width: int = 1400, height: int = 1000) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lineage-shot-") as profile:
        cmd = [
            chromium(),
            *_FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={out.resolve()}",
            f"--window-size={width},{height}",
            url,
        ]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("report", type=Path, help="report folder (with index.html)")
    ap.add_argument("out", type=Path, help="folder for the screenshots")
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=1000)
    ap.add_argument("--pair", help="pair page to shoot (default: the largest)")
    args = ap.parse_args(argv)
    report = args.report.resolve()
    if not (report / "index.html").is_file():
        print(f"{report}: no index.html", file=sys.stderr)
        return 2
    shots = [shoot((report / "index.html").as_uri(), args.out / "index.png",
                   width=args.width, height=args.height)]  # fmt: skip
    pages = sorted((report / "pairs").glob("*.html"), key=lambda p: (-p.stat().st_size, p.name))
    if args.pair:
        pages = [report / "pairs" / args.pair]
    if pages:
        shots.append(shoot(pages[0].as_uri(), args.out / "pair.png",
                           width=args.width, height=args.height))  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="lineage-view-") as tmp:
        for name in ("lineage.png", "heatmap.png"):
            if (report / name).is_file():
                wrapper = Path(tmp) / f"{name}.html"
                write_text_atomic(
                    wrapper,
                    f'<!DOCTYPE html><body style="margin:0;background:#fff">'
                    f'<img src="{(report / name).as_uri()}"></body>',
                )
                shots.append(shoot(wrapper.as_uri(), args.out / f"view-{name}",
                                   width=args.width, height=args.height))  # fmt: skip
    for s in shots:
        print(s)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
