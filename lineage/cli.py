"""Command line: parses arguments, calls the library, prints a one-screen summary.

Exit codes: 0 done; 1 nothing could be read (or the reports could not be written);
2 bad usage (a missing path, a bad option, ``--out`` naming a file).
"""

from __future__ import annotations

import os
import re
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

import click

from lineage import __version__

__all__ = ["PROFILE_NAMES", "main", "shown"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lineage")
def main() -> None:
    """Find reused text across articles and infer who copied whom, with evidence."""


# The names of lineage.infer.PROFILES, listed here so that ``--help`` stays instant (infer
# imports numpy and networkx); tests/test_cli.py checks the two lists agree. "auto" (the
# default) lets the corpus choose (lineage.infer.profile); "tradition" (lineage.infer.
# profile.TRADITION) reads each story as a stemma of hand-copied witnesses.
PROFILE_NAMES = ("news", "revisions")
PROFILE_CHOICES = ("auto", *PROFILE_NAMES, "tradition")
# how many skipped inputs and notices the summary prints before "… and N more"
# (together they keep the summary to one screen: at most about 40 lines)
_SHOWN_SKIPPED = 10
_SHOWN_NOTICES = 8
_SHOWN_EDGES = 10
_SHOWN_IGNORED = 10  # files of other types, when nothing could be read


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False),
    default="reports",
    show_default=True,
    callback=lambda ctx, param, value: _check_out(value),
    help="Folder for the reports (created; locked while a run writes; the files a "
    "previous run wrote and this one does not are removed, files of your own are kept).",
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
    type=click.Choice(PROFILE_CHOICES),
    default="auto",
    show_default=True,
    help="What kind of lineage to infer: news syndication (copies trim their source, "
    "originals are copied most) or revisions (versions of one text, each growing from "
    "the one before, such as Wikipedia revisions or drafts) or tradition (hand-copied "
    "witnesses of one text, undated: each story a stemma with lost exemplars). auto: the "
    "corpus decides (stories shaped as chains, few outlets or URLs: revisions; undated, "
    "unnamed copies differing by single words: tradition); the summary says which and why.",
)
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=0,
    show_default=True,
    help="Processes for large corpora (0 = all cores).",
)
@click.option(
    "--memory",
    type=click.IntRange(0, None),
    default=1024,
    show_default=True,
    metavar="MB",
    help="Budget for the per-document arrays (about 6.5 bytes a character of text): past "
    "it they are files in the system's temp folder, read as needed, deleted at the end "
    "(0 = always). Changes memory, never results.",
)
@click.option(
    "--follow-links",
    is_flag=True,
    help="Read symlinks that point outside the folders given (skipped by default).",
)
@click.option("--no-html", is_flag=True, help="Write JSON/CSV only, no HTML pages or pictures.")
@click.option(
    "--formats",
    metavar="LIST",
    default=None,
    callback=lambda ctx, param, value: _check_formats(value),
    help="Files for other tools, beside JSON/CSV: a comma list of graphml (the lineage "
    "forest), parquet (the tables; needs pyarrow), passim (passim's JSONL input), or all, "
    "none.  [default: none]",
)
@click.option(
    "--max-pages",
    type=click.IntRange(0),
    default=None,
    help="Most side-by-side pair pages: derivations first, story by story in turns, then "
    "the strongest other pairs  [default: 100].",
)
@click.option(
    "--passage-text",
    is_flag=True,
    help="Give each passage's text on both sides in passages.jsonl.gz (by default its "
    "offsets into the documents, word counts and similarity).",
)
@click.option(
    "--generated-at",
    default=None,
    help="Timestamp to print in the reports (none by default, so runs diff cleanly).",
)
@click.option(
    "--engine",
    type=click.Choice(("local", "spark")),
    default="local",
    show_default=True,
    help="Where fingerprints, candidates and alignment run: this machine's processes, or "
    "Spark (needs the lineage[spark] extra; writes pairs and passages as Parquet into "
    "OUT/spark, then infers lineage here).",
)
@click.option(
    "--spark-master",
    default=None,
    metavar="URL",
    help="Spark master for --engine spark (local[*] by default; spark-submit's own when "
    "run under spark-submit).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def analyze(
    paths: tuple[Path, ...],
    out: Path,
    shingle_size: int,
    min_words: int,
    profile: str,
    workers: int,
    memory: int,
    follow_links: bool,
    no_html: bool,
    formats: tuple[str, ...],
    max_pages: int | None,
    passage_text: bool,
    generated_at: str | None,
    engine: str,
    spark_master: str | None,
    quiet: bool,
) -> None:
    """Analyze articles in PATHS (files or folders: .txt .md .html .jsonl .csv) into --out."""
    import lineage
    from lineage.model import Config

    missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise click.BadParameter(
            f"no such file or folder: {', '.join(map(shown, missing))}", param_hint="PATHS"
        )
    config = Config(
        shingle_size=shingle_size,
        min_passage_words=min_words,
        profile=profile,
        workers=workers,
        memory=memory,
        generated_at=generated_at,
    )
    started = time.perf_counter()
    from lineage.files import Interrupted, OutputBusy, OutputDir, interrupts

    # the folder is locked before the analysis, so a second run is refused at once; a
    # signal unwinds through it (workers stopped, temporaries removed), then one line
    try:
        with interrupts(), OutputDir(out) as folder, warnings.catch_warnings():
            # matplotlib names a control character of an id it cannot draw, raw, on stderr
            warnings.filterwarnings("ignore", message="Glyph .* missing from font")
            with _progress(enabled=not quiet and sys.stderr.isatty()) as bar:
                try:
                    if engine == "spark":
                        from lineage.engine.spark import SparkUnavailable, analyze_spark

                        try:
                            analysis = analyze_spark(
                                list(paths),
                                config,
                                work=out / "spark",
                                master=spark_master,
                                follow_links=follow_links,
                                exclude=[out],
                            )
                        except SparkUnavailable as exc:
                            _error(str(exc))
                            sys.exit(2)
                    else:
                        analysis = lineage.analyze(
                            list(paths),
                            config,
                            progress=bar,
                            follow_links=follow_links,
                            exclude=[out],
                        )
                except FileNotFoundError as exc:  # a path removed after the check above
                    _error(shown(str(exc)))
                    sys.exit(2)
                written: list[Path] = []
                if analysis.documents:
                    # the bar stays up while the exports and the pages are written
                    written = lineage.write_reports(
                        analysis,
                        folder,
                        html=not no_html,
                        generated_at=generated_at,
                        formats=formats,
                        max_pages=max_pages,
                        passage_text=passage_text,
                        progress=bar,
                    )
            if not analysis.documents:
                _nothing_read(analysis)
                sys.exit(1)
    except Interrupted as exc:
        click.echo(
            f"interrupted ({exc.name}): the report in {shown(str(out))} is incomplete", err=True
        )
        sys.exit(128 + exc.signum)
    except OutputBusy as exc:
        _error(shown(str(exc)))
        sys.exit(1)
    except OSError as exc:  # a full disk, a read-only folder: one line, not a traceback
        where = str(exc.filename or out)
        _error(f"cannot write the reports to {shown(where)}: {exc.strerror or exc}")
        sys.exit(1)
    except ValueError as exc:  # a symlink planted in --out that leads outside it
        _error(f"cannot write the reports to {shown(str(out))}: {exc}")
        sys.exit(1)
    if not quiet:
        _print_summary(analysis, out, time.perf_counter() - started, written=written)


# C0 and C1 controls, DEL, bidirectional overrides and isolates, line and paragraph
# separators, and lone surrogates: what can move a terminal's cursor, recolour it, set its
# title, reorder a line or forge a new one.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def shown(text: str) -> str:
    r"""``text`` safe to print on a terminal: every control character is escaped visibly.

    >>> shown("evil\n\x1b[32mall clear\u202e")
    'evil\\n\\x1b[32mall clear\\u202e'
    """

    def esc(m: re.Match[str]) -> str:
        c = m.group()
        named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
        return named.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}")

    return _UNSAFE.sub(esc, text)


def _error(message: str) -> None:
    click.echo(f"error: {message}", err=True)


def _check_out(value: str) -> Path:
    """``--out`` as a folder that can be created or written: never '' (the working
    folder by accident), never a symlink to nothing."""
    if not value.strip():
        raise click.BadParameter(
            "must name a folder (an empty name is refused)", param_hint="--out"
        )
    path = Path(value)
    if path.is_symlink() and not path.exists():
        raise click.BadParameter(
            f"{shown(value)} is a symlink to {shown(os.readlink(path))}, which does not exist",
            param_hint="--out",
        )
    return path


def _check_formats(value: str | None) -> tuple[str, ...]:
    """``--formats`` checked before the run: an unknown name, or Parquet without pyarrow,
    is bad usage (one line saying how to install it), not a failure after the analysis."""
    from lineage.interchange import MissingDependency, parse_formats

    try:
        return parse_formats(value)
    except (ValueError, MissingDependency) as exc:
        raise click.BadParameter(str(exc), param_hint="--formats") from exc


def _cut_list(lines: list[str], limit: int, what: str) -> list[str]:
    """The first ``limit`` lines, and how many more there are when that is not all."""
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], f"… and {len(lines) - limit:,} more {what} (see lineage.json)"]


def _nothing_read(analysis) -> None:  # type: ignore[no-untyped-def]
    from lineage.ingest import FORMATS, Ignored

    for line in _cut_list(
        [f"skipped {shown(s.reason)}" for s in analysis.skipped], _SHOWN_SKIPPED, "skipped"
    ):
        click.echo(line, err=True)
    ignored = [n for n in analysis.notices if isinstance(n, Ignored)]
    types = " ".join(sorted(FORMATS))
    _error(f"no document could be read; supported types: {types}")
    if ignored:
        names = [shown(n.path) for n in ignored]
        head = ", ".join(names[:_SHOWN_IGNORED])
        more = f" … and {len(names) - _SHOWN_IGNORED:,} more" if len(names) > _SHOWN_IGNORED else ""
        click.echo(f"  {len(names):,} files of other types ignored: {head}{more}", err=True)


def _print_summary(  # type: ignore[no-untyped-def]
    analysis, out: Path, seconds: float, *, written: Sequence[Path] = ()
) -> None:
    from lineage.export import summary

    s = summary(analysis)
    click.echo(
        f"lineage {__version__}: {s['documents']} documents read, {s['skipped']} skipped, "
        f"{s['pairs']} pairs with reuse, {s['passages']} passages, "
        f"{s['stories']} stories ({s['shared_stories']} of two or more documents), "
        f"{s['edges']} derivation edges in {seconds:.1f}s"
    )
    if analysis.profile_choice is not None:
        pc = analysis.profile_choice
        how = "chosen from the corpus" if pc.auto else "as configured"
        click.echo(f"profile {pc.profile} ({how}): {shown(pc.reason)}")
    # each reason names its file (and line) itself: one path per message
    lines = [f"  skipped {shown(sk.reason)}" for sk in analysis.skipped]
    lines = _cut_list(lines, _SHOWN_SKIPPED, "skipped")
    lines += _cut_list(
        [f"  note {shown(n.reason)}" for n in analysis.notices], _SHOWN_NOTICES, "notes"
    )
    groups = []  # thousands of copies: one line, not their edges
    for g in analysis.duplicates:
        rep = analysis.document(g.representative)
        title = f" ({shown(rep.title[:60])})" if rep.title else ""
        kind = "identical" if g.kind == "exact" else "near-identical"
        groups.append(f"  {len(g.members) - 1:,} {kind} copies of {shown(rep.id)}{title}")
    lines += _cut_list(groups, _SHOWN_NOTICES, "groups of copies")
    from lineage.duplicates import PAIR_IN_FULL

    # the members of a collapsed group (larger than PAIR_IN_FULL) are counted above
    collapsed = [
        g for g in analysis.duplicates if g.kind == "exact" and len(g.members) > PAIR_IN_FULL
    ]
    copies = {m for g in collapsed for m in g.members} - {g.representative for g in collapsed}
    lines += _cut_list(
        [
            f"  {shown(e.parent)} -> {shown(e.child)}  (confidence {e.confidence:.2f})"
            for e in analysis.edges
            if e.child not in copies  # counted above
        ],
        _SHOWN_EDGES,
        "edges",
    )
    for line in lines:
        click.echo(line if line.startswith("  ") else f"  {line}")
    if written:  # how big the output is, beside the input (issue 15: 112 MB for 3.8 MB)
        size = sum(p.stat().st_size for p in written if p.exists())
        click.echo(f"wrote {len(written):,} files, {size / 1e6:,.1f} MB")
    click.echo(
        f"reports: {shown(str(out / 'index.html'))}  data: {shown(str(out / 'lineage.json'))}"
    )


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
