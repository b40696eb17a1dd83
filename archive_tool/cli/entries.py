"""init, log and validate."""

from __future__ import annotations

from pathlib import Path

import click

from archive_tool.cli.app import CALLER_PATH, DEMO_BANNER, Session, cli, pass_session

KINDS = ("letter", "fax", "call", "email", "meeting", "visit", "contact_report", "note")


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
        click.echo(DEMO_BANNER, err=True)
    session.emit({"root": str(archive.root), "admin": archive.user.login},
                 f"created archive {archive.root} (information admin: {archive.user.login})")


@cli.command()
@click.argument("client_id", metavar="ID")
@click.option("--kind", required=True, type=click.Choice(KINDS))
@click.option("--subject", required=True)
@click.option("--date", "when", type=click.DateTime(["%Y-%m-%d"]), help="Default: today.")
@click.option("--direction", type=click.Choice(("in", "out")))
@click.option("--staff", multiple=True, metavar="E-...", help="Default: you.")
@click.option("--file", "files", multiple=True, type=CALLER_PATH,
              help="A file to attach (repeatable).")
@click.option("--summary")
@click.option("--counterpart", help="The person at the client.")
@click.option("--confidential", is_flag=True)
@click.option("--sends", metavar="ENTRY", help="The draft entry (file name) this letter sends.")
@pass_session
def log(session: Session, client_id, kind, subject, when, direction, staff, files, summary,
        counterpart, confidential, sends):
    """Record a contact; copies files in as attachments."""
    from archive_tool import filing

    path = filing.log(
        session.archive, client_id, kind, subject, when=when.date() if when else None,
        direction=direction, staff=list(staff), files=list(files), summary=summary,
        counterpart=counterpart, confidential=confidential, sends=sends)
    rel = path.relative_to(session.archive.root).as_posix()
    session.emit({"path": rel}, f"logged {rel}")


@cli.command()
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.pass_context
def validate(ctx: click.Context, ids):
    """Check records and folders; exit 1 if any error."""
    session: Session = ctx.obj
    from archive_tool.checking import validate as check

    problems = check(session.archive, list(ids))
    errors = sum(p.is_error for p in problems)
    session.emit({"ok": errors == 0, "problems": [p.to_json() for p in problems]},
                 "\n".join([*map(str, problems),
                            f"{errors} errors, {len(problems) - errors} warnings"]))
    if errors:
        ctx.exit(1)


