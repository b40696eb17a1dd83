"""daemon, status and setup: the archive service."""

from __future__ import annotations

import sys

import click

from archive_tool.cli.app import Session, cli, pass_session
from archive_tool.errors import AccessDenied, UsageError
from archive_tool.i18n import N_, _, ngettext

STATUS_FILES = 10  # files without text listed by `status` (validate lists them all)


@cli.command()
@click.option("--once", is_flag=True, help="One full reconcile, then exit (cron, tests).")
@click.option("--poll", type=click.FloatRange(min=0.1), metavar="SECONDS",
              help="Poll the folder instead of kernel events (forced on network shares).")
@click.option("--full-every", type=click.FloatRange(min=1), default=3600, show_default=True,
              metavar="SECONDS", help="Full reconcile period.")
@click.option("--quiet-period", type=click.FloatRange(min=0), default=0.4, show_default=True,
              metavar="SECONDS", help="Wait this long after the last change to a folder.")
@click.option("--web", "web_address", metavar="[HOST:]PORT",
              help=N_("Also serve the web page there (host 127.0.0.1 unless given; else"
                      " archive.yaml's service: {web: ...})."))
@pass_session
def daemon(session: Session, once, poll, full_every, quiet_period, web_address):
    """Watch, validate and index; with a service in archive.yaml, also serve its socket
    (the archive service). Runs in the foreground (systemd-friendly)."""
    import logging

    from archive_tool.daemon import Daemon

    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(levelname)s %(message)s")
    logging.getLogger("watchdog").setLevel(logging.WARNING)
    archive = session.archive
    archive.require("daemon")
    settings = archive.settings
    server = upkeep = None
    if settings.service_user:
        from archive_tool.access import os_login

        me = os_login()
        if me not in (settings.service_user, "root"):
            raise AccessDenied(_("the archive service runs as {user} (or root), not as {me}")
                               .format(user=settings.service_user, me=me))
        from archive_tool.cli.serve import handler
        from archive_tool.locate import default_socket
        from archive_tool.server import Server
        from archive_tool.upkeep import Upkeep

        upkeep = Upkeep(archive, settings.service_user)
        path = settings.service_socket or default_socket(
            (archive.root / "archive.yaml").read_text(encoding="utf-8"))
        if not once:
            server = Server(path, handler(archive.root, archive.shared, settings.service_user),
                            root=archive.root)
    web = None
    address = web_address or settings.web
    if address and not once:
        from archive_tool.web.server import WebServer

        if settings.demo:
            raise UsageError(_("the web page is not served for a demo archive, where every"
                               " login is an administrator"))
        web = WebServer(archive.root, archive.shared, address)
    Daemon(archive, poll=poll, full_every=full_every, quiet=quiet_period,
           server=server, upkeep=upkeep, web=web).run(once=once)


@cli.command()
@pass_session
def status(session: Session):
    """Daemon up or not, pending work, index freshness, invalid clients."""
    from archive_tool import views

    s = views.status(session.archive)
    session.emit(s, _status_text(s))


def _status_text(s: dict) -> str:
    from archive_tool import words

    d = s["daemon"]
    idx = s["index"]
    with_errors = s["clients_with_errors"]
    index_files = ngettext("{n} file", "{n} files", idx["files"]).format(n=idx["files"])
    if not d["running"]:
        daemon = _("daemon:   not running")
    elif not d["started"]:  # the lock is held, the first status not yet written
        daemon = _("daemon:   running (pid {pid}, starting up)").format(pid=d["pid"])
    else:
        daemon = _("daemon:   running (pid {pid}, since {started}, {watcher})").format(
            pid=d["pid"], started=words.shown_time(d["started"]),
            watcher=d["watcher"] or _("no file watcher yet"))
    lines = [daemon,
             _("last reconcile: {when}").format(
                 when=words.shown_time(d["last_reconcile"]) or _("never")),
             ngettext("pending:  {n} folder (oldest {seconds} s)",
                      "pending:  {n} folders (oldest {seconds} s)", d["pending"]).format(
                 n=d["pending"], seconds=words.shown_number(d["oldest_pending_seconds"])),
             (_("index:    present, {files}, {problems}") if idx["exists"] else
              _("index:    missing, {files}, {problems}")).format(
                 files=index_files,
                 problems=ngettext("{n} extraction problem", "{n} extraction problems",
                                   idx["extraction_problems"]).format(
                     n=idx["extraction_problems"])),
             (_("clients:  {n}, {bad} with errors: {ids}") if with_errors else
              _("clients:  {n}, {bad} with errors")).format(
                 n=s["clients"], bad=len(with_errors), ids=" ".join(with_errors)),
             _("check-outs: {open} open, {overdue} overdue").format(
                 open=s["checkouts"]["open"], overdue=len(s["checkouts"]["overdue"])),
             _("versions: {mb} MB stored").format(
                 mb=words.shown_number(s["versions_bytes"] / 2**20))]
    untexted = s.get("no_text") or []
    waiting = sum(u["state"] == "waiting" for u in untexted)
    lines.append(ngettext("no text:  {n} file ({waiting} waiting for OCR)",
                          "no text:  {n} files ({waiting} waiting for OCR)",
                          len(untexted)).format(n=len(untexted), waiting=waiting))
    lines += [f"  {u['path']}: {u['reason']}" for u in untexted[:STATUS_FILES]]
    if len(untexted) > STATUS_FILES:
        lines.append("  " + _("and {n} more (see 'archive-tool validate')").format(
            n=len(untexted) - STATUS_FILES))
    if s.get("ocr") and waiting:
        lines.append("  " + s["ocr"])
    if s.get("important_matters") is not None:
        lines.append(_("important matters awaiting review: {n} (see 'archive-tool review')")
                     .format(n=s["important_matters"]))
    return "\n".join(lines)


@cli.command()
@click.option("--service-user", required=True, metavar="NAME",
              help="The account the archive service runs as (created when missing).")
@click.option("--socket", "socket_path", metavar="PATH",
              help="The service's socket (default /run/archive-tool/<archive>.sock).")
@pass_session
def setup(session: Session, service_user, socket_path):
    """Hand the archive to the archive service (as root; safe to run again)."""
    from archive_tool.provision import setup as run_setup

    done = run_setup(session.archive, service_user, socket_path)
    lines = [(_("service account: {user} (created)") if done.created_account else
              _("service account: {user}")).format(user=done.user),
             _("socket: {path}").format(path=done.socket), *done.changes,
             _("next: start the service (systemctl enable --now archive-tool, running"
               " 'archive-tool -A {root} daemon' as {user})").format(
                 root=session.archive.root, user=done.user)]
    session.emit({"service_user": done.user, "socket": done.socket,
                  "created_account": done.created_account, "changes": done.changes},
                 "\n".join(lines))
