"""``lineage simulate`` and ``lineage evaluate``: click commands over the library.

The main CLI registers them with ``main.add_command(simulate_cmd)`` and
``main.add_command(evaluate_cmd)``. They only parse options and call
:func:`lineage.evaluation.simulate.simulate` / :func:`lineage.evaluation.metrics.evaluate`;
imports are lazy so
``lineage --help`` stays instant.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

__all__ = ["evaluate_cmd", "simulate_cmd"]


@click.command(name="simulate")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write corpus.jsonl (analyzer input) and truth.json (known lineage) to.",
)
@click.option("--stories", default=200, show_default=True, help="Number of story trees.")
@click.option("--seed", default=0, show_default=True, help="Random seed; same seed, same bytes.")
@click.option(
    "--dates",
    type=click.Choice(["all", "some", "none", "noisy"]),
    default="all",
    show_default=True,
    help="Which publication dates the analyzer sees: all, ~70%, none, or some shifted.",
)
@click.option(
    "--rewrite",
    type=click.Choice(["mixed", "light", "heavy"]),
    default="mixed",
    show_default=True,
    help="How much copies are rewritten on each edge.",
)
@click.option(
    "--min-size", default=2, show_default=True, help="Fewest documents in a story (>= 2)."
)
@click.option("--max-size", default=15, show_default=True, help="Most documents in a story.")
@click.option(
    "--independents",
    type=int,
    default=None,
    help="Independent same-topic reports to mix in [default: a quarter of --stories].",
)
def simulate_cmd(
    *,
    out_dir: Path,
    stories: int,
    seed: int,
    dates: str,
    rewrite: str,
    min_size: int,
    max_size: int,
    independents: int | None,
) -> None:
    """Write a simulated syndication corpus whose true lineage is known."""
    from lineage.evaluation.simulate import simulate, write

    try:
        corpus = simulate(
            stories=stories,
            seed=seed,
            dates=dates,  # type: ignore[arg-type]  # click.Choice checked it
            rewrite=rewrite,  # type: ignore[arg-type]
            story_size=(min_size, max_size),
            independents=independents,
        )
    except (ValueError, RuntimeError) as exc:
        raise click.ClickException(str(exc)) from exc
    corpus_path, truth_path = write(corpus, out_dir)
    click.echo(
        f"{len(corpus.documents)} documents in {len(corpus.stories)} stories "
        f"(+{len(corpus.independents)} independent), {len(corpus.edges)} edges, "
        f"{len(corpus.passages)} planted passages"
    )
    click.echo(f"wrote {corpus_path} and {truth_path}")


@click.command(name="evaluate")
@click.argument("pred", type=click.Path(exists=True, path_type=Path))
@click.argument("truth", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--passages",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="passages.jsonl[.gz] to score [default: the one beside lineage.json, if any].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
def evaluate_cmd(*, pred: Path, truth: Path, passages: Path | None, as_json: bool) -> None:
    """Score PRED (lineage.json or its folder) against TRUTH (truth.json or its folder)."""
    from lineage.evaluation.metrics import evaluate

    pred_file = _role_file(pred, "lineage.json")
    truth_file = _role_file(truth, "truth.json")
    pred_kind, truth_kind = _kind(pred_file), _kind(truth_file)
    if pred_kind == "truth" and truth_kind == "prediction":
        raise click.ClickException(
            f"arguments swapped: {pred_file} is a truth and {truth_file} a lineage.json; "
            f"run: lineage evaluate {truth} {pred}"
        )
    if pred_kind != "prediction":
        what = "a truth.json" if pred_kind == "truth" else "not a lineage.json"
        raise click.ClickException(f"{pred_file}: PRED is {what} (no pairs and edges)")
    if truth_kind != "truth":
        what = "a lineage.json" if truth_kind == "prediction" else "not a truth.json"
        raise click.ClickException(f"{truth_file}: TRUTH is {what} (no roots or independents)")
    metrics = evaluate(pred_file, truth_file, passages=passages)
    data = metrics.as_dict()
    if as_json:
        click.echo(json.dumps(data, indent=2, sort_keys=True))
        return
    width = max(len(k) for k in data)
    for key, value in data.items():
        shown = "n/a" if value is None else f"{value:.4f}" if isinstance(value, float) else value
        click.echo(f"{key:<{width}}  {shown}")


def _role_file(path: Path, name: str) -> Path:
    """A folder stands for the ``name`` inside it; when it holds only the other role's
    file, that file (so swapped folders are caught too)."""
    if not path.is_dir():
        return path
    if (path / name).exists():
        return path / name
    for other in ("lineage.json", "truth.json"):
        if (path / other).exists():
            return path / other
    raise click.ClickException(f"{path}: a folder with neither lineage.json nor truth.json")


def _kind(path: Path) -> str | None:
    from lineage.evaluation.metrics import sniff

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise click.ClickException(f"{path}: not readable as JSON ({reason})") from exc
    return sniff(data)
