"""Command line: parses arguments, calls the library, prints a one-screen summary.

Exit codes: 0 done; 1 nothing could be read (or the reports could not be written);
2 bad usage (a missing path, a bad option, ``--out`` naming a file).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from lineage import __version__

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lineage")
def main() -> None:
    """Find reused text across articles and infer who copied whom, with evidence."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports"),
    show_default=True,
    help="Folder for the reports (created; other files in it are kept).",
)
@click.option(
    "--shingle-size",
    type=click.IntRange(2, 20),
    default=5,
    show_default=True,
    help="Words per shingle for candidate search and alignment seeds.",
)
@click.option(
    "--min-words",
    type=click.IntRange(3, 1000),
    default=8,
    show_default=True,
    help="Shortest reused passage reported, in words.",
)
@click.option(
    "--profile",
    default="news",
    show_default=True,
    callback=lambda ctx, param, value: _check_profile(value),
    help="What kind of lineage to infer: news syndication (copies trim their source, "
    "originals are copied most) or revisions (versions of one text, each growing from "
    "the one before, such as Wikipedia revisions or drafts).",
)
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=0,
    show_default=True,
    help="Processes for large corpora (0 = all cores).",
)
@click.option("--no-html", is_flag=True, help="Write JSON/CSV only, no HTML pages or pictures.")
@click.option(
    "--max-pages",
    type=click.IntRange(0),
    default=None,
    help="Most side-by-side pair pages: derivations first, then the strongest other pairs "
    "[default: every derivation plus the 100 strongest other pairs].",
)
@click.option(
    "--generated-at",
    default=None,
    help="Timestamp to print in the reports (none by default, so runs diff cleanly).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def analyze(
    paths: tuple[Path, ...],
    out: Path,
    shingle_size: int,
    min_words: int,
    profile: str,
    workers: int,
    no_html: bool,
    max_pages: int | None,
    generated_at: str | None,
    quiet: bool,
) -> None:
    """Analyze articles in PATHS (files or folders: .txt .md .html .jsonl .csv) into --out."""
    from lineage.model import Config
    from lineage.pipeline import analyze as run

    missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise click.BadParameter(
            f"no such file or folder: {', '.join(missing)}", param_hint="PATHS"
        )
    config = Config(
        shingle_size=shingle_size,
        min_passage_words=min_words,
        profile=profile,
        workers=workers,
        generated_at=generated_at,
    )
    started = time.perf_counter()
    with _progress(enabled=not quiet and sys.stderr.isatty()) as progress:
        analysis = run(list(paths), config, progress=progress)
    if not analysis.documents:
        for s in analysis.skipped:
            where = "" if s.line is None else f":{s.line}"
            click.echo(f"skipped {s.path}{where}: {s.reason}", err=True)
        click.echo("error: no document could be read", err=True)
        sys.exit(1)

    from lineage.export import write_exports

    try:
        written = write_exports(analysis, out, generated_at=generated_at)
        if not no_html:
            from lineage.report import write_reports

            written += write_reports(analysis, out, generated_at=generated_at, max_pages=max_pages)
    except OSError as exc:  # a full disk, a read-only folder: one line, not a traceback
        where = str(exc.filename or out)
        click.echo(f"error: cannot write the reports to {where}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    if not quiet:
        _print_summary(analysis, out, time.perf_counter() - started)


def _check_profile(name: str) -> str:
    """The profile name, if lineage.infer.PROFILES has it (the one list of profiles)."""
    from lineage.infer import Weights

    try:
        Weights.for_profile(name)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--profile") from None
    return name


def _print_summary(analysis, out: Path, seconds: float) -> None:  # type: ignore[no-untyped-def]
    from lineage.export import summary

    s = summary(analysis)
    click.echo(
        f"lineage {__version__}: {s['documents']} documents read, {s['skipped']} skipped, "
        f"{s['pairs']} pairs with reuse, {s['passages']} passages, "
        f"{s['stories']} stories, {s['edges']} derivation edges in {seconds:.1f}s"
    )
    for sk in analysis.skipped[:20]:
        click.echo(f"  skipped {sk.path}{'' if sk.line is None else f':{sk.line}'}: {sk.reason}")
    if len(analysis.skipped) > 20:
        click.echo(f"  … and {len(analysis.skipped) - 20} more (see lineage.json 'skipped')")
    for n in analysis.notices[:10]:
        click.echo(f"  note {n.path}{'' if n.line is None else f':{n.line}'}: {n.reason}")
    for e in analysis.edges[:15]:
        click.echo(f"  {e.parent} -> {e.child}  (confidence {e.confidence:.2f})")
    if len(analysis.edges) > 15:
        click.echo(f"  … and {len(analysis.edges) - 15} more edges")
    click.echo(f"reports: {out / 'index.html'}  data: {out / 'lineage.json'}")


class _progress:
    """A rich progress bar on a terminal; nothing at all otherwise."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._bar = None
        self._tasks: dict[str, int] = {}

    def __enter__(self):  # type: ignore[no-untyped-def]
        if not self.enabled:
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self._bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=True,
        )
        self._bar.__enter__()
        return self._update

    def _update(self, stage: str, done: int, total: int) -> None:
        assert self._bar is not None
        size = total or None  # 0: not known yet (reading a folder as it is walked)
        if stage not in self._tasks:
            self._tasks[stage] = self._bar.add_task(stage, total=size)
        self._bar.update(self._tasks[stage], completed=done, total=size)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def _register() -> None:
    from lineage.evaluation.cli import evaluate_cmd, simulate_cmd

    main.add_command(simulate_cmd)
    main.add_command(evaluate_cmd)


_register()

if __name__ == "__main__":  # pragma: no cover
    main()
