"""Who the caller is (the OS account) and what they may see."""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass

from archive_tool.errors import AccessDenied
from archive_tool.records import Client, Entry, Roster, StaffMember


def os_login() -> str:
    """The login of the effective OS account; never a flag or variable."""
    return pwd.getpwuid(os.geteuid()).pw_name


@dataclass(frozen=True)
class User:
    login: str
    staff: StaffMember | None
    demo: bool = False

    @property
    def staff_id(self) -> str | None:
        return self.staff.id if self.staff else None

    @property
    def is_admin(self) -> bool:
        return self.demo or (self.staff is not None and self.staff.is_info_admin)

    @property
    def allowed(self) -> bool:
        return self.demo or (self.staff is not None and self.staff.active)

    def require(self) -> None:
        if self.allowed:
            return
        if self.staff is None:
            raise AccessDenied(f"login '{self.login}' is not in this archive's staff.yaml;"
                               " ask the information department for access")
        raise AccessDenied(f"login '{self.login}' ({self.staff.id}) is {self.staff.status}"
                           " and no longer has access to the archive")

    def can_see(self, client: Client) -> bool:
        if self.is_admin:
            return True
        if not self.allowed or self.staff is None:
            return False
        me = self.staff
        if any(str(c.get("staff")) == me.id for c in client.contacts):
            return True
        grants = client.data.get("access") or {}
        return me.id in (grants.get("staff") or []) or me.department in (
            grants.get("departments") or [])

    def can_see_entry(self, client: Client, entry: Entry) -> bool:
        if not self.can_see(client):
            return False
        return self.is_admin or not entry.confidential or self.staff_id in entry.staff


def identify(roster: Roster, demo: bool, login: str | None = None) -> User:
    login = login or os_login()
    return User(login, roster.by_login(login), demo)
