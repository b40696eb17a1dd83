"""permissions plan / apply / check."""

from __future__ import annotations

import click

from archive_tool.cli.app import Session, cli, pass_session


@cli.group()
def permissions() -> None:
    """OS-level ACLs on client folders, from the same rules as the tool's."""


def _plan_json(plans) -> dict:
    return {"folders": [{"client_id": p.client_id, "folder": p.folder.name,
                         "logins": p.logins, "no_os_account": p.skipped} for p in plans]}


def _plan_text(plans) -> str:
    lines = []
    for p in plans:
        lines.append(f"{p.folder.name}: {' '.join(p.logins) or '(nobody)'}")
        if p.skipped:
            lines.append(f"  no OS account here for: {' '.join(p.skipped)}")
    return "\n".join(lines)


@permissions.command("plan")
@pass_session
def plan(session: Session):
    """Print who may use each client folder."""
    plans = session.archive.permission_plan()
    session.emit(_plan_json(plans), _plan_text(plans))


@permissions.command("apply")
@pass_session
def apply(session: Session):
    """Set the ACLs of every client folder to the plan (needs the right to change them)."""
    plans = session.archive.apply_permissions()
    session.emit(_plan_json(plans), _plan_text(plans) + f"\napplied to {len(plans)} folders")


@permissions.command("check")
@click.pass_context
def check(ctx: click.Context):
    """Report folders whose ACLs differ from the plan; exit 1 if any."""
    session: Session = ctx.obj
    drift = session.archive.permission_drift()
    lines = [line for cid in sorted(drift) for line in drift[cid]]
    session.emit({"ok": not drift, "drift": drift}, "\n".join(lines) or "no drift")
    if drift:
        ctx.exit(1)
