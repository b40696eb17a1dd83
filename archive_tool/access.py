"""Who the caller is (the OS account) and what they may see."""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass

from archive_tool.errors import AccessDenied
from archive_tool.i18n import _
from archive_tool.records import Client, Entry, Roster, StaffMember
from archive_tool.words import shown


def os_login() -> str:
    """The login of the effective OS account; never a flag or variable."""
    return pwd.getpwuid(os.geteuid()).pw_name


@dataclass(frozen=True)
class User:
    login: str
    staff: StaffMember | None
    demo: bool = False
    system: bool = False  # root or the archive service's account: not staff, the system

    @property
    def staff_id(self) -> str | None:
        return self.staff.id if self.staff else None

    @property
    def is_admin(self) -> bool:
        return self.demo or self.system or (self.staff is not None
                                            and self.staff.is_info_admin)

    @property
    def allowed(self) -> bool:
        return self.demo or self.system or (self.staff is not None and self.staff.active)

    def require(self) -> None:
        if self.allowed:
            return
        if self.staff is None:
            raise AccessDenied(_("login '{login}' is not in this archive's staff.yaml;"
                                 " ask the information department for access").format(
                                     login=self.login))
        raise AccessDenied(_("login '{login}' ({staff}) is {status} and no longer has access"
                             " to the archive").format(
                                 login=self.login, staff=self.staff.id,
                                 status=shown("staff_status", self.staff.status)))

    def can_see(self, client: Client) -> bool:
        """When other folders claim the client's id, a non-admin sees it only if every
        claiming record allows them: a second folder gains nothing of the first."""
        if self.is_admin:
            return True
        return self.allowed and self.staff is not None and all(
            member_sees(self.staff, c) for c in (client, *client.rivals))

    def can_see_entry(self, client: Client, entry: Entry) -> bool:
        if not self.can_see(client):
            return False
        return self.is_admin or not entry.confidential or self.staff_id in entry.staff


def member_sees(member: StaffMember, client: Client, entry: Entry | None = None) -> bool:
    """Whether a staff member may see a client, and one of its entries, by the rules
    alone (design §5): active, and an information admin, among the client's contacts or
    named in its `access` (by id or department); a confidential entry only admins and
    the entry's staff."""
    if not member.active:
        return False
    if member.is_info_admin:
        return True
    if not client.effective_grants.allows(member):  # grants an admin has not confirmed: none
        return False
    return entry is None or not entry.confidential or member.id in entry.staff


def is_root(login: str) -> bool:
    """Whether the login is the superuser's (uid 0)."""
    try:
        return pwd.getpwnam(login).pw_uid == 0
    except KeyError:
        return False


def identify(roster: Roster, demo: bool, login: str | None = None,
             system: bool = False) -> User:
    """The staff member of an OS login. A login that is not staff but is the system
    (root, the service account) acts as an information admin."""
    login = login or os_login()
    staff = roster.by_login(login)
    return User(login, staff, demo, system and staff is None)
