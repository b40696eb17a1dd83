"""audit."""

from __future__ import annotations

import click

from archive_tool import words
from archive_tool.cli import options
from archive_tool.cli.app import Session, cli, table
from archive_tool.i18n import _


@cli.command()
@click.option("--client", "client_id", metavar="ID", help="Only this client.")
@click.option("--user", metavar="E-...|LOGIN", help="Only this staff id or login.")
@click.option("--since", type=options.SINCE,
              help="From this day on (20/11/2026, 2026-11-20, 11/2026 or 2026).")
@click.option("--verify", is_flag=True, help="Check the hash chain; exit 1 if broken.")
@click.pass_context
def audit(ctx: click.Context, client_id, user, since, verify):
    """The access and change log (information admins)."""
    session: Session = ctx.obj
    from archive_tool import oversight

    archive = session.archive
    if verify:
        verdict = oversight.audit_verify(archive)
        text = [(_("ok: {message}") if verdict.ok else _("broken: {message}")).format(
            message=verdict.message)]
        text += ["  " + _("checked: {what}").format(what=line) for line in verdict.checked]
        text += ["  " + _("not ruled out: {what}").format(what=line)
                 for line in verdict.not_ruled_out]
        session.emit({"ok": verdict.ok, "records": verdict.records,
                      "message": verdict.message, "checked": verdict.checked,
                      "not_ruled_out": verdict.not_ruled_out}, "\n".join(text))
        if not verdict.ok:
            ctx.exit(1)
        return
    records = oversight.audit_records(archive, client_id, user, since)
    rows = [[words.shown_time(r.get("at", "")), r.get("staff") or "-", r.get("login") or "",
             r.get("action", ""), r.get("client") or "", r.get("outcome", ""),
             (r.get("query") or r.get("path") or r.get("detail") or "")[:60]]
            for r in records]
    header = [_("at (UTC)"), _("staff"), _("login"), _("action"), _("client"), _("outcome"),
              _("what")]
    session.emit({"records": records}, table(rows, header) if rows else _("no records"))


