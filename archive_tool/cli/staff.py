"""staff transfer / depart, import, report compliance."""

from __future__ import annotations

import click

from archive_tool import words
from archive_tool.cli import options
from archive_tool.cli.app import CALLER_PATH, Session, cli, pass_session
from archive_tool.i18n import _, ngettext

REPORT_FORMATS = ("text", "md", "html", "json")


@cli.group()
def staff() -> None:
    """Hand clients over when staff move or leave."""


def _plan_text(p, dry_run: bool) -> str:
    n = len(p.handovers)
    head = (ngettext("would hand {n} client from {leaver} ({leaver_name}) to {successor}"
                     " ({successor_name})",
                     "would hand {n} clients from {leaver} ({leaver_name}) to {successor}"
                     " ({successor_name})", n) if dry_run else
            ngettext("handed {n} client from {leaver} ({leaver_name}) to {successor}"
                     " ({successor_name})",
                     "handed {n} clients from {leaver} ({leaver_name}) to {successor}"
                     " ({successor_name})", n)).format(
        n=n, leaver=p.leaver.id, leaver_name=p.leaver.name, successor=p.successor.id,
        successor_name=p.successor.name)
    lines = [head]
    for h in p.handovers:
        roles = ", ".join(words.shown("role", r) for r in h.roles)
        lines.append(f"  {h.client_id}  {h.client_name}  ({roles})"
                     + ("  " + _("notice: {path}").format(path=h.notice) if h.notice else ""))
        if h.understaffed:
            lines.append("    " + _("needs another contact: {client} is important or VIP")
                         .format(client=h.client_id))
    return "\n".join(lines)


def _plan_json(p) -> dict:
    return {"from": p.leaver.id, "to": p.successor.id,
            "clients": [h.__dict__ for h in p.handovers],
            "needs_another_contact": [h.client_id for h in p.handovers if h.understaffed]}


@staff.command()
@click.argument("leaver", metavar="E")
@click.option("--to", "successor", required=True, metavar="E2", help="The successor.")
@click.option("--client", "clients", multiple=True, metavar="ID", help="Only these clients.")
@click.option("--dry-run", is_flag=True, help="Show the plan, change nothing.")
@pass_session
def transfer(session: Session, leaver, successor, clients, dry_run):
    """Reassign E's clients to E2 and draft a notice to each client."""
    archive = session.archive
    from archive_tool import handover

    p = handover.transfer(archive, handover.plan(archive, leaver, successor, list(clients)),
                          dry_run)
    session.emit(_plan_json(p), _plan_text(p, dry_run))


@staff.command()
@click.argument("leaver", metavar="E")
@click.option("--successor", required=True, metavar="E2")
@click.option("--force-return", is_flag=True,
              help="Close E's open check-outs as not returned (recorded).")
@click.option("--dry-run", is_flag=True, help="Show the plan, change nothing.")
@pass_session
def depart(session: Session, leaver, successor, force_return, dry_run):
    """E leaves: hand over every client, end E's access."""
    from archive_tool import handover

    p, closed = handover.depart(session.archive, leaver, successor, force_return, dry_run)
    text = _plan_text(p, dry_run)
    if closed:
        text += "\n" + ngettext("{n} check-out closed as not returned",
                                "{n} check-outs closed as not returned", len(closed)).format(
            n=len(closed))
    if not dry_run:
        text += "\n" + _("{staff} is now departed").format(staff=leaver)
    session.emit(_plan_json(p) | {"checkouts_closed": [c.path for c in closed]}, text)


@cli.command("import")
@click.argument("folder", type=CALLER_PATH)
@click.option("--client", "client_id", required=True, metavar="ID",
              help="The client whose correspondence receives the documents.")
@click.option("--kind", type=options.KIND, default="note",
              help="The kind of every entry (default: note).")
@click.option("--dry-run", is_flag=True, help="Show what would be filed, change nothing.")
@pass_session
def import_(session: Session, folder, client_id, kind, dry_run):
    """File a folder of documents into a client's correspondence."""
    from archive_tool import intake

    items = intake.run(session.archive, folder, client_id, kind, dry_run)
    lines = []
    for i in items:
        if i.duplicate_of:
            lines.append(_("skip  {source}  (same as {other})").format(
                source=i.source, other=i.duplicate_of))
        else:
            lines.append((_("plan  {source}  -> {date} {subject}") if dry_run else
                          _("filed  {source}  -> {date} {subject}")).format(
                source=i.source, date=words.shown_date(i.when), subject=i.subject)
                + (f"  {i.entry}" if i.entry else ""))
    session.emit({"items": [{"source": str(i.source), "date": i.when.isoformat(),
                             "subject": i.subject, "duplicate_of": i.duplicate_of,
                             "entry": i.entry} for i in items]}, "\n".join(lines))


@cli.group()
def report() -> None:
    """Reports for review."""


@report.command("compliance")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS),
              default="text", show_default=True)
@pass_session
def report_compliance(session: Session, fmt):
    """Every policy problem, per client."""
    from archive_tool import compliance

    r = compliance.review(session.archive)
    if session.json:
        fmt = "json"
    click.echo(compliance.FORMATS[fmt](r), nl=fmt != "html")


@cli.command()
@click.argument("entries", nargs=-1, metavar="[ENTRY]...")
@click.option("--client", "client_id", metavar="ID", help="Only this client's matters.")
@click.option("--note", metavar="TEXT", help="What the information department made of it.")
@pass_session
def review(session: Session, entries, client_id, note):
    """Important matters awaiting the information department; ENTRY... marks them reviewed."""
    from archive_tool import reviews

    archive = session.archive
    if entries:
        done = reviews.acknowledge(archive, list(entries), note)
        session.emit({"acknowledged": [m.to_json() for m in done]}, "\n".join(
            _("reviewed  {path}").format(path=m.path) for m in done))
        return
    matters = reviews.pending(archive, client_id)
    lines = [f"{words.shown_date(m.date) or '-':<10}  {m.client_id}  {m.subject}  ({m.path})"
             for m in matters]
    lines.append(ngettext("{n} important matter awaiting review",
                          "{n} important matters awaiting review", len(matters)).format(
                              n=len(matters)))
    session.emit({"matters": [m.to_json() for m in matters]}, "\n".join(lines))
