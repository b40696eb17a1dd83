"""init, log and validate."""

from __future__ import annotations

from pathlib import Path

import click

from archive_tool import words
from archive_tool.cli import options
from archive_tool.cli.app import CALLER_PATH, DEMO_BANNER, Session, cli, pass_session
from archive_tool.i18n import _, ngettext

KINDS = words.KIND.values


@cli.command()
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", help="Archive name (default: the folder's name).")
@click.option("--sample", is_flag=True, help="Start from the bundled sample archive.")
@pass_session
def init(session: Session, path: Path, name, sample):
    """Create a new archive; you become its first information admin."""
    from archive_tool.archive import Archive

    archive = Archive.create(path, name, sample)
    if archive.settings.demo:
        click.echo(_(DEMO_BANNER), err=True)
    session.emit({"root": str(archive.root), "admin": archive.user.login},
                 _("created archive {root} (information admin: {login})").format(
                     root=archive.root, login=archive.user.login))


@cli.command()
@click.argument("client_id", metavar="ID")
@click.option("--kind", required=True, type=options.KIND, help="The kind of contact.")
@click.option("--subject", required=True, help="What the contact was about.")
@click.option("--date", "when", type=options.DAY,
              help="The day of the contact, as 20/11/2026 or 2026-11-20 (default: today).")
@click.option("--direction", type=options.DIRECTION,
              help="in: the client wrote or called; out: the company did.")
@click.option("--staff", multiple=True, metavar="E-...", help="Default: you.")
@click.option("--file", "files", multiple=True, type=CALLER_PATH,
              help="A file to attach (repeatable).")
@click.option("--summary", help="A short account of the contact.")
@click.option("--counterpart", help="The person at the client.")
@click.option("--confidential", is_flag=True,
              help="Business-confidential: only admins and the entry's staff see it.")
@click.option("--sends", metavar="ENTRY", help="The draft entry (file name) this letter sends.")
@pass_session
def log(session: Session, client_id, kind, subject, when, direction, staff, files, summary,
        counterpart, confidential, sends):
    """Record a contact; copies files in as attachments."""
    from archive_tool import filing

    path = filing.log(
        session.archive, client_id, kind, subject, when=when,
        direction=direction, staff=list(staff), files=list(files), summary=summary,
        counterpart=counterpart, confidential=confidential, sends=sends)
    rel = path.relative_to(session.archive.root).as_posix()
    session.emit({"path": rel}, _("logged {path}").format(path=rel))


@cli.command()
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.pass_context
def validate(ctx: click.Context, ids):
    """Check records and folders; exit 1 if any error."""
    session: Session = ctx.obj
    from archive_tool.checking import validate as check

    problems = check(session.archive, list(ids))
    errors = sum(p.is_error for p in problems)
    rows = [p.to_json() for p in problems]
    session.emit({"ok": errors == 0, "problems": rows},
                 "\n".join([*map(problem_line, rows), summary(errors, len(problems) - errors)]))
    if errors:
        ctx.exit(1)


def problem_line(p: dict) -> str:
    """path:line:column: severity [rule] message, the severity in the person's words."""
    return (f"{p['path']}:{p['line']}:{p['column']}: {words.shown('severity', p['severity'])}"
            f" [{p['rule']}] {p['message']}")


def summary(errors: int, warnings: int) -> str:
    return _("{errors}, {warnings}").format(
        errors=ngettext("{n} error", "{n} errors", errors).format(n=errors),
        warnings=ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings))
