"""checkout, checkin, checkouts, versions, restore, gc and history."""

from __future__ import annotations

import click

from archive_tool import words
from archive_tool.cli.app import CALLER_PATH, Session, cli, pass_session, table
from archive_tool.i18n import _, ngettext


@cli.command()
@click.argument("client_id", metavar="ID")
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option("--to", "to", required=True, type=CALLER_PATH,
              help="Folder to copy the files to.")
@click.option("--edit", is_flag=True, help="Lock the files for editing.")
@click.option("--days", type=click.IntRange(1), help="Due in this many days.")
@click.option("--purpose", help="Why the files leave the archive.")
@pass_session
def checkout(session: Session, client_id, paths, to, edit, days, purpose):
    """Copy files out, on record; --edit locks them."""
    from archive_tool import custody

    done = custody.checkout(session.archive, client_id, list(paths), to, edit, days, purpose)
    session.emit({"checkouts": [c.to_json() for c in done]},
                 "\n".join((_("{dest}  (edit, due {due})") if c.edit else
                            _("{dest}  (read, due {due})")).format(
                                dest=c.dest, due=words.shown_date(c.due)) for c in done))


@cli.command()
@click.argument("copies", nargs=-1, required=True, type=CALLER_PATH,
                metavar="PATH...")
@click.option("--note", help="What changed.")
@click.option("--cancel", is_flag=True, help="Release without changes.")
@click.option("--force", is_flag=True, help="Admins: check in over a changed file, or"
              " someone else's check-out.")
@pass_session
def checkin(session: Session, copies, note, cancel, force):
    """Return edited files (the archive's version is kept), or release them."""
    from archive_tool import custody

    if cancel:
        done = custody.cancel(session.archive, list(copies))
    else:
        done = custody.checkin(session.archive, list(copies), note, force)
    session.emit({"checkins": [c.to_json() for c in done]},
                 "\n".join((_("released {path}") if cancel else _("checked in {path}")).format(
                     path=c.path) for c in done))


@cli.command()
@click.option("--user", metavar="E-...|LOGIN", help="Only this staff id or login.")
@click.option("--overdue", is_flag=True, help="Only those past their due date.")
@pass_session
def checkouts(session: Session, user, overdue):
    """Open check-outs."""
    from archive_tool import custody

    found = custody.checkouts(session.archive, user, overdue)
    today = session.archive.today
    rows = [[c.path, c.login, _("edit") if c.edit else _("read"), words.shown_date(c.at[:10]),
             words.shown_date(c.due), _("OVERDUE") if c.overdue(today) else "",
             c.purpose or ""] for c in found]
    header = [_("path"), _("login"), _("mode"), _("since"), _("due"), "", _("purpose")]
    session.emit({"checkouts": [c.to_json() | {"overdue": c.overdue(today)} for c in found]},
                 table(rows, header) if rows else _("no open check-outs"))


@cli.command()
@click.argument("path")
@pass_session
def versions(session: Session, path):
    """The stored versions of a file."""
    from archive_tool import custody

    found = custody.versions(session.archive, path)
    rows = [[str(v.n), words.shown_time(v.at), v.source, v.who or "", str(v.size),
             v.sha256[:12]] for v in found]
    header = [_("version"), _("at (UTC)"), _("source"), _("who"), _("bytes"), "sha256"]
    session.emit({"path": found[0].path, "versions": [v.__dict__ for v in found]},
                 table(rows, header))


@cli.command()
@click.argument("path")
@click.option("--version", "n", type=click.IntRange(1), help="Default: the latest.")
@click.option("--to", "to", type=CALLER_PATH,
              help="Write it here instead of in its place.")
@click.option("--force", is_flag=True, help="With --to: replace a file that is there.")
@pass_session
def restore(session: Session, path, n, to, force):
    """Put a stored version back (the current content is kept as a version)."""
    from archive_tool import custody

    version, dest = custody.restore(session.archive, path, n, to, force)
    session.emit({"path": version.path, "version": version.n, "to": str(dest)},
                 _("restored version {n} of {path} to {dest}").format(
                     n=version.n, path=version.path, dest=dest))


@cli.command()
@click.option("--keep-days", type=click.IntRange(1),
              help="Default: archive.yaml policy.version_retention_days.")
@pass_session
def gc(session: Session, keep_days):
    """Forget file versions older than the retention (never a file's latest)."""
    from archive_tool import custody

    forgotten, deleted = custody.gc(session.archive, keep_days)
    session.emit({"versions_forgotten": forgotten, "blobs_deleted": deleted},
                 _("{forgotten}, {deleted}").format(
                     forgotten=ngettext("{n} old version forgotten",
                                        "{n} old versions forgotten", forgotten).format(
                                            n=forgotten),
                     deleted=ngettext("{n} stored file deleted", "{n} stored files deleted",
                                      deleted).format(n=deleted)))


@cli.command()
@click.argument("client_id", metavar="ID")
@pass_session
def history(session: Session, client_id):
    """The client record's field-level change journal."""
    from archive_tool import custody

    rows, files = custody.history(session.archive, client_id)
    direct = _("direct")
    unnoted = "  " + _("(no note in changes)")
    text = [_("record changes:")]
    text += [f"  {words.shown_time(r['at'])}  {r['owner'] or direct:<10} {r['field']}:"
             f" {_short(r['old'])} -> {_short(r['new'])}{'' if r['noted'] else unnoted}"
             for r in rows] or ["  " + _("none recorded")]
    text.append(_("file versions:"))
    text += [f"  {words.shown_time(v.at)}  {v.who or direct:<10} {v.source:<8} v{v.n}  {v.path}"
             for v in files] or ["  " + _("none stored")]
    session.emit({"client_id": client_id, "changes": rows,
                  "versions": [v.__dict__ for v in files]}, "\n".join(text))


def _short(value) -> str:
    text = "-" if value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "..."
