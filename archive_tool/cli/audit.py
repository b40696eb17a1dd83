"""audit."""

from __future__ import annotations

import click

from archive_tool.cli.app import Session, cli, table


@cli.command()
@click.option("--client", "client_id", metavar="ID", help="Only this client.")
@click.option("--user", metavar="E-...|LOGIN", help="Only this staff id or login.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="From this day on.")
@click.option("--verify", is_flag=True, help="Check the hash chain; exit 1 if broken.")
@click.pass_context
def audit(ctx: click.Context, client_id, user, since, verify):
    """The access and change log (information admins)."""
    session: Session = ctx.obj
    from archive_tool import oversight

    archive = session.archive
    if verify:
        verdict = oversight.audit_verify(archive)
        text = [("ok: " if verdict.ok else "broken: ") + verdict.message]
        text += [f"  checked: {line}" for line in verdict.checked]
        text += [f"  not ruled out: {line}" for line in verdict.not_ruled_out]
        session.emit({"ok": verdict.ok, "records": verdict.records,
                      "message": verdict.message, "checked": verdict.checked,
                      "not_ruled_out": verdict.not_ruled_out}, "\n".join(text))
        if not verdict.ok:
            ctx.exit(1)
        return
    records = oversight.audit_records(archive, client_id, user, since.date() if since else None)
    rows = [[r.get("at", "")[:19], r.get("staff") or "-", r.get("login", ""),
             r.get("action", ""), r.get("client") or "", r.get("outcome", ""),
             (r.get("query") or r.get("path") or r.get("detail") or "")[:60]]
            for r in records]
    session.emit({"records": records},
                 table(rows, ["at (UTC)", "staff", "login", "action", "client", "outcome",
                              "what"]) if rows else "no records")


