"""The archive service keeps the shared folder's OS permissions equal to the policy
(design §7): everything at start and whenever staff.yaml or archive.yaml changes,
and each client folder a pass found changed (a new file, a new grant, a confidential
flag), so that a reassignment or a departure takes effect on disk within seconds."""

from __future__ import annotations

import logging

from archive_tool import permissions
from archive_tool.archive import Archive
from archive_tool.i18n import _
from archive_tool.records import client_folders, load_client

log = logging.getLogger("archive_tool.upkeep")


class Upkeep:
    def __init__(self, archive: Archive, service_user: str):
        self.archive = archive
        self.service_user = service_user

    def everything(self) -> None:
        self._apply(None)

    def folders(self, names: set[str]) -> None:
        if names:
            self._apply(names)

    def _apply(self, only: set[str] | None) -> None:
        archive = self.archive
        archive.refresh()
        clients = archive.all_clients if only is None else archive.with_grants([
            load_client(archive.root, cid, folder)
            for cid, folder in client_folders(archive.root) if folder.name in only])
        plan = permissions.plan_archive(archive.root, clients, archive.roster,
                                        self.service_user, only=only)
        changed = permissions.apply(plan)
        archive.forget_clients()  # every record and entry: not to be held until the next pass
        for line in changed:
            log.info(_("permissions: {change}").format(change=line))
        if changed:
            archive.record("permissions-apply", detail=f"{len(changed)} changes: "
                           + "; ".join(changed[:20]))
        for login in sorted(set(plan.skipped)):
            log.warning(_("staff login {login} has no OS account here; it gets no access"
                          ).format(login=login))
