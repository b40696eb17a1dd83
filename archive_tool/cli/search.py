"""index and search."""

from __future__ import annotations

import sys

import click

from archive_tool.cli.app import Session, cli, pass_session

TYPE_CHECKING = False
if TYPE_CHECKING:
    from click._termui_impl import ProgressBar


class _Progress:
    """A progress bar on a terminal for long runs; silent otherwise."""

    def __init__(self) -> None:
        self.bar: ProgressBar[int] | None = None
        self.stage: str | None = None
        self.enabled = sys.stderr.isatty()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or total < 50:
            return
        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = click.progressbar(length=total, label=f"{stage:<8}", file=sys.stderr)
            self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _report_lines(report) -> list[str]:
    return [*(f"warning: {w}" for w in report.warnings),
            *(f"warning: {path}: {problem}" for path, problem in report.problems)]


@cli.command()
@click.option("--rebuild", is_flag=True, help="Start the index from nothing.")
@pass_session
def index(session: Session, rebuild):
    """Bring the index up to date with the files."""
    from archive_tool.syncing import update_index

    progress = _Progress()
    try:
        report = update_index(session.archive, rebuild=rebuild, progress=progress)
    finally:
        progress.close()
    for line in _report_lines(report):
        click.echo(line, err=True)
    session.emit({"added": report.added, "changed": report.changed, "renamed": report.renamed,
                  "deleted": report.deleted, "unchanged": report.unchanged,
                  "extracted": report.extracted, "seconds": round(report.seconds, 3),
                  "problems": [{"path": p, "problem": m} for p, m in report.problems],
                  "warnings": report.warnings},
                 f"index: {report.summary()}")


@cli.command()
@click.argument("query")
@click.option("--client", "client_id", metavar="ID", help="Only this client.")
@click.option("--kind", help="Only this kind (letter, fax, call, annual_report...).")
@click.option("--year", type=int, help="Only this year.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.pass_context
def search(ctx: click.Context, query, client_id, kind, year, limit):
    """Full-text search; exit 1 if nothing is found."""
    from archive_tool.finding import search as find

    session: Session = ctx.obj
    progress = _Progress()
    try:
        results, built = find(session.archive, query, client_id, kind, year, limit,
                                                progress=progress)
    finally:
        progress.close()
    if built is not None:
        click.echo(f"index built: {built.summary()}", err=True)
        for line in _report_lines(built):
            click.echo(line, err=True)
    if session.json:
        session.emit({"query": results.query, "total": results.total,
                      "suggestion": results.suggestion,
                      "hits": [{**h.__dict__, "snippet": _plain(h.snippet)}
                               for h in results.hits]})
    else:
        colour = sys.stdout.isatty()
        for h in results.hits:
            head = f"{h.path}  [{h.kind}] {h.date or ''}  {h.client_name}"
            click.echo(click.style(head, bold=True) if colour else head)
            click.echo(f"  {h.title}")
            if h.snippet:
                click.echo("  " + _marked(h.snippet, colour))
        shown = len(results.hits)
        click.echo(f"{results.total} hits" + (f" (showing {shown})"
                                              if shown < results.total else ""))
        if results.suggestion:
            click.echo(f"did you mean: {results.suggestion}")
    if results.total == 0:
        ctx.exit(1)


def _plain(snippet: str) -> str:
    from archive_tool.index.query import MARK_CLOSE, MARK_OPEN

    return " ".join(snippet.replace(MARK_OPEN, "").replace(MARK_CLOSE, "").split())


def _marked(snippet: str, colour: bool) -> str:
    from archive_tool.index.query import MARK_CLOSE, MARK_OPEN

    text = " ".join(snippet.split())
    if colour:
        return text.replace(MARK_OPEN, "\x1b[1;33m").replace(MARK_CLOSE, "\x1b[0m")
    return text.replace(MARK_OPEN, "[").replace(MARK_CLOSE, "]")
