"""permissions plan / apply / check."""

from __future__ import annotations

import click

from archive_tool.cli.app import Session, cli, pass_session
from archive_tool.i18n import _

TYPE_CHECKING = False
if TYPE_CHECKING:
    from archive_tool.permissions import ArchivePlan


@cli.group()
def permissions() -> None:
    """OS-level permissions of the archive's folders and files, from the same rules as
    the tool's (information admins and root)."""


def _service_user(session: Session) -> str | None:
    return getattr(session.archive.settings, "service_user", None)


def _plan_json(plan: ArchivePlan) -> dict:
    return {"service_user": plan.service_user,
            "root_files": {"read": plan.readers, "write": plan.writers},
            "folders": [{"client_id": f.client_id, "folder": f.folder.name, "logins": f.logins,
                         "confidential": f.confidential, "no_os_account": f.skipped}
                        for f in plan.folders],
            "no_os_account": plan.skipped}


def _plan_text(plan: ArchivePlan) -> str:
    nobody = _("(nobody)")
    lines = [_("service account: {user} (owns every file; .archive/ is its alone)").format(
                 user=plan.service_user) if plan.service_user else
             _("no service account: owners stay as they are, .archive/ is left alone"),
             _("archive.yaml, staff.yaml, templates/, clients/: read: {readers};"
               " write: {writers}").format(readers=" ".join(plan.readers),
                                          writers=" ".join(plan.writers) or nobody)]
    for f in plan.folders:
        lines.append(f"{f.folder.name}: {' '.join(f.logins) or nobody}")
        for path, logins in f.confidential.items():
            lines.append("  " + _("confidential {name}: {logins}").format(
                name=path.rpartition("/")[2], logins=" ".join(logins)))
    if plan.skipped:
        lines.append(_("no OS account here for: {logins}").format(
            logins=" ".join(plan.skipped)))
    return "\n".join(lines)


@permissions.command("plan")
@pass_session
def plan(session: Session) -> None:
    """Print who may use the archive's files and each client folder."""
    from archive_tool import oversight

    found = oversight.permission_plan(session.archive, _service_user(session))
    session.emit(_plan_json(found), _plan_text(found))


@permissions.command("apply")
@pass_session
def apply(session: Session) -> None:
    """Set owners and ACLs to the plan where they differ (as root, or an information
    admin on an archive without a service)."""
    from archive_tool import oversight

    found, changed, remaining = oversight.apply_permissions(session.archive,
                                                            _service_user(session))
    text = "\n".join(changed) or _("nothing to change")
    if remaining:
        text += "\n" + _("still to fix by hand:") + "\n" + "\n".join(remaining)
    session.emit({**_plan_json(found), "changed": changed, "remaining": remaining}, text)


@permissions.command("check")
@click.pass_context
def check(ctx: click.Context) -> None:
    """Report where owners and effective rights differ from the plan; exit 1 if any."""
    session: Session = ctx.obj
    from archive_tool import oversight

    drift = oversight.permission_drift(session.archive, _service_user(session))
    session.emit({"ok": not drift, "drift": drift}, "\n".join(drift) or _("no drift"))
    if drift:
        ctx.exit(1)
