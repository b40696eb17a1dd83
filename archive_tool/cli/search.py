"""index and search."""

from __future__ import annotations

import sys

import click

from archive_tool.cli.app import Session, cli, pass_session
from archive_tool.i18n import _

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
                 _("index: {summary}").format(summary=report.summary()))


@cli.command()
@click.argument("query")
@click.option("--client", "client_id", metavar="ID", help="Only this client.")
@click.option("--kind", help="Only this kind (letter, fax, call, annual_report...).")
@click.option("--year", type=int, help="Only this year.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="Documents per page.")
@click.option("--page", type=click.IntRange(1, 100_000), default=1, show_default=True)
@click.option("--sort", type=click.Choice(("relevance", "date", "-date")),
              default="relevance", show_default=True,
              help="date: oldest first; -date: newest first.")
@click.option("--flat", is_flag=True, help="One list, not grouped by client.")
@click.pass_context
def search(ctx: click.Context, query, client_id, kind, year, limit, page, sort, flat):
    """Full-text search, one hit per document; exit 1 if nothing is found. The records
    of the clients the query names come first; 'archive-tool open N' opens hit N."""
    from archive_tool.finding import search as find

    session: Session = ctx.obj
    progress = _Progress()
    try:
        results, built = find(session.archive, query, client_id, kind, year, limit,
                              progress=progress, page=page, sort=sort)
    finally:
        progress.close()
    if built is not None:
        click.echo(_("index built: {summary}").format(summary=built.summary()), err=True)
        for line in _report_lines(built):
            click.echo(line, err=True)
    if session.json:
        session.emit(_json(results))
    else:
        click.echo(_text(results, flat, sys.stdout.isatty()))
    if results.total == 0:
        ctx.exit(1)


def _json(results) -> dict:
    from dataclasses import asdict

    return {"query": results.query, "total": results.total,
            "suggestion": results.suggestion, "page": results.page,
            "pages": results.pages, "limit": results.limit, "sort": results.sort,
            "hits": [{**asdict(h), "snippet": _plain(h.snippet)} for h in results.hits]}


def _text(results, flat: bool, colour: bool) -> str:
    """One line per document, under its client unless flat; the count and the page."""
    from archive_tool.i18n import _, ngettext
    from archive_tool.printable import printable
    from archive_tool.words import shown, shown_date

    lines = []
    client = None
    hits = list(results.hits)
    if not flat:  # each client once, in the order of its best hit; the numbers stay
        first: dict[str, int] = {}
        for h in hits:
            first.setdefault(h.client_id, h.rank)
        hits.sort(key=lambda h: (first[h.client_id], h.rank))
    for h in hits:
        if not flat and h.client_id != client:
            client = h.client_id
            head = printable(f"{h.client_id}  {h.client_name}", keep="")
            lines.append(click.style(head, bold=True) if colour else head)
        kind = shown("document_kind", h.kind) if h.kind else ""
        title = printable(_cut(h.title, 70), keep="")
        line = f"{h.rank:>4}  {shown_date(h.date):<10}  {kind:<20} {title}"
        if h.snippet:
            line += "  \u2014 " + _marked(_cut_marked(printable(h.snippet, keep="\x02\x03"),
                                                   140), colour)
        if len(h.files) > 1 or (h.files and h.files[0].path != h.path):
            line += "  [" + "; ".join(
                printable(f"{m.path.rsplit('/', 1)[-1]}: {', '.join(m.terms)}"
                          if m.terms else m.path.rsplit("/", 1)[-1], keep="")
                for m in h.files) + "]"
        lines.append(line if flat else "  " + line)
    count = ngettext("{n} document", "{n} documents", results.total).format(n=results.total)
    if results.hits and (results.total > len(results.hits) or results.page > 1):
        last = results.first + len(results.hits) - 1
        count += "; " + _("showing {first}-{last}, page {page} of {pages}").format(
            first=results.first, last=last, page=results.page, pages=results.pages)
        if results.page < results.pages:
            count += " " + _("(--page {next} for more)").format(next=results.page + 1)
    elif results.total and not results.hits:
        count += "; " + _("page {page} is past the last ({pages})").format(
            page=results.page, pages=results.pages)
    lines.append(count)
    if results.suggestion:
        lines.append(_("did you mean: {suggestion}").format(suggestion=results.suggestion))
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[:width - 1].rstrip() + "\u2026"


def _cut_marked(snippet: str, width: int) -> str:
    """A snippet cut to about width visible characters, no mark left open."""
    from archive_tool.index.query import MARK_CLOSE, MARK_OPEN

    text = " ".join(snippet.split())
    out, visible, inside = [], 0, False
    for ch in text:
        if ch == MARK_OPEN:
            inside = True
        elif ch == MARK_CLOSE:
            inside = False
        else:
            visible += 1
            if visible > width and not inside:
                out.append("\u2026")
                break
        out.append(ch)
    return "".join(out)


def _plain(snippet: str) -> str:
    from archive_tool.index.query import MARK_CLOSE, MARK_OPEN

    return " ".join(snippet.replace(MARK_OPEN, "").replace(MARK_CLOSE, "").split())


def _marked(snippet: str, colour: bool) -> str:
    from archive_tool.index.query import MARK_CLOSE, MARK_OPEN

    text = " ".join(snippet.split())
    if colour:
        return text.replace(MARK_OPEN, "\x1b[1;33m").replace(MARK_CLOSE, "\x1b[0m")
    return text.replace(MARK_OPEN, "[").replace(MARK_CLOSE, "]")


@cli.command("open")
@click.argument("target", metavar="HIT_OR_PATH")
@click.option("--print", "only_print", is_flag=True,
              help="Print the path only, even on a desktop.")
@pass_session
def open_(session: Session, target, only_print):
    """Print the path of hit N of your last search (or of a file of a client folder),
    and open it with the desktop's viewer when there is one; the read is audited."""
    from archive_tool.opening import open_file

    opened = open_file(session.archive, target, show=not only_print)
    session.emit({"path": opened.path, "absolute": opened.absolute, "client_id":
                  opened.client_id, "opened": opened.opened}, opened.absolute)
