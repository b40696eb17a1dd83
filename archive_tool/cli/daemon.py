"""daemon, status and setup: the archive service."""

from __future__ import annotations

import logging
import sys

import click

from archive_tool.cli.app import Session, cli, pass_session
from archive_tool.errors import AccessDenied


@cli.command()
@click.option("--once", is_flag=True, help="One full reconcile, then exit (cron, tests).")
@click.option("--poll", type=click.FloatRange(min=0.1), metavar="SECONDS",
              help="Poll the folder instead of kernel events (forced on network shares).")
@click.option("--full-every", type=click.FloatRange(min=1), default=3600, show_default=True,
              metavar="SECONDS", help="Full reconcile period.")
@click.option("--quiet-period", type=click.FloatRange(min=0), default=0.4, show_default=True,
              metavar="SECONDS", help="Wait this long after the last change to a folder.")
@pass_session
def daemon(session: Session, once, poll, full_every, quiet_period):
    """Watch, validate and index; with a service in archive.yaml, also serve its socket
    (the archive service). Runs in the foreground (systemd-friendly)."""
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
            raise AccessDenied(f"the archive service runs as {settings.service_user} (or"
                               f" root), not as {me}")
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
    Daemon(archive, poll=poll, full_every=full_every, quiet=quiet_period,
           server=server, upkeep=upkeep).run(once=once)


@cli.command()
@pass_session
def status(session: Session):
    """Daemon up or not, pending work, index freshness, invalid clients."""
    from archive_tool import views

    s = views.status(session.archive)
    d = s["daemon"]
    lines = [f"daemon:   running (pid {d['pid']}, since {d['started']}, {d['watcher']})"
             if d["running"] else "daemon:   not running",
             f"last reconcile: {d['last_reconcile'] or 'never'}",
             f"pending:  {d['pending']} folders (oldest {d['oldest_pending_seconds']} s)",
             f"index:    {'present' if s['index']['exists'] else 'missing'},"
             f" {s['index']['files']} files, {s['index']['extraction_problems']}"
             " extraction problems",
             f"clients:  {s['clients']}, {len(s['clients_with_errors'])} with errors"
             + (f": {' '.join(s['clients_with_errors'])}" if s["clients_with_errors"] else ""),
             f"check-outs: {s['checkouts']['open']} open,"
             f" {len(s['checkouts']['overdue'])} overdue",
             f"versions: {s['versions_bytes'] / 2**20:.1f} MB stored"]
    session.emit(s, "\n".join(lines))


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
    lines = [f"service account: {done.user}{' (created)' if done.created_account else ''}",
             f"socket: {done.socket}", *done.changes,
             f"next: start the service (systemctl enable --now archive-tool, running"
             f" 'archive-tool -A {session.archive.root} daemon' as {done.user})"]
    session.emit({"service_user": done.user, "socket": done.socket,
                  "created_account": done.created_account, "changes": done.changes},
                 "\n".join(lines))
