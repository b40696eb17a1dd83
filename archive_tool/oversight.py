"""What the information department uses to show that the policy holds: the audit
log and the folders' OS permissions."""

from __future__ import annotations

from datetime import date

from archive_tool import permissions
from archive_tool.access import is_root
from archive_tool.archive import Archive
from archive_tool.audit import Verdict


def audit_records(archive: Archive, client: str | None = None, user: str | None = None,
                  since: date | None = None) -> list[dict]:
    archive.require_admin("audit")
    start = since.isoformat() if since else ""
    found = [r for r in archive.audit.records()
             if (client is None or r.get("client") == client)
             and (user is None or user in (r.get("staff"), r.get("login")))
             and str(r.get("at", "")) >= start]
    archive.record("audit", client=client, detail=f"user={user} since={since}")
    return found


def audit_verify(archive: Archive) -> Verdict:
    archive.require_admin("audit")
    verdict = archive.audit.verify()
    archive.record("audit-verify", outcome="ok" if verdict.ok else "error",
                   detail=verdict.message)
    return verdict


def permission_plan(archive: Archive, service_user: str | None) -> permissions.ArchivePlan:
    """The OS permissions the archive should have; for information admins and root
    (uid 0), who acts as the system even when not staff."""
    if not is_root(archive.user.login):
        archive.require_admin("permissions")
    return permissions.plan_archive(archive.root, archive.all_clients, archive.roster,
                                    service_user)


def apply_permissions(archive: Archive, service_user: str | None
                      ) -> tuple[permissions.ArchivePlan, list[str], list[str]]:
    """(the plan, what changed, what is left alone and still differs: links)."""
    plan = permission_plan(archive, service_user)
    changed = permissions.apply(plan)
    archive.record("permissions-apply", detail="; ".join(changed) or "nothing to change")
    return plan, changed, permissions.drift(plan)


def permission_drift(archive: Archive, service_user: str | None) -> list[str]:
    found = permissions.drift(permission_plan(archive, service_user))
    archive.record("permissions-check", detail=f"{len(found)} differences")
    return found
