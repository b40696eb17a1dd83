"""OS-level permissions: POSIX ACLs on each client folder from the same rules as the
tool's, so that direct editing in the shared folder obeys them too.

A client folder is readable and writable by the information department's
administrators and by the staff allowed to see the client (contacts, staff and
departments named in `access`), by OS login; its group and others get nothing.
Default ACLs make new files inherit the same entries.
"""

from __future__ import annotations

import pwd
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from archive_tool.errors import ArchiveError, UsageError
from archive_tool.records import Client, Roster


@dataclass
class FolderPlan:
    client_id: str
    folder: Path
    logins: list[str]
    skipped: list[str] = field(default_factory=list)  # staff without an OS account here


def allowed_logins(client: Client, roster: Roster) -> tuple[list[str], list[str]]:
    """(logins that may use the folder, staff logins that have no OS account here)."""
    grants = client.data.get("access") or {}
    ids = {str(c.get("staff")) for c in client.contacts} | set(grants.get("staff") or [])
    departments = set(grants.get("departments") or [])
    members = [m for m in roster.members.values() if m.active and (
        m.is_info_admin or m.id in ids or m.department in departments)]
    logins, skipped = [], []
    for m in members:
        try:
            pwd.getpwnam(m.login)
            logins.append(m.login)
        except KeyError:
            skipped.append(m.login)
    return sorted(set(logins)), sorted(set(skipped))


def plan(clients: list[Client], roster: Roster) -> list[FolderPlan]:
    out = []
    for c in clients:
        logins, skipped = allowed_logins(c, roster)
        out.append(FolderPlan(c.id, c.folder, logins, skipped))
    return out


def _acl_spec(logins: list[str]) -> str:
    return ",".join(["u::rwX", "g::---", "o::---", "m::rwX",
                     *(f"u:{login}:rwX" for login in logins)])


def _run(args: list[str]) -> str:
    if shutil.which(args[0]) is None:
        raise UsageError(f"{args[0]} is not installed; install the 'acl' package")
    proc = subprocess.run(args, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise ArchiveError(f"{' '.join(args[:3])} ...: {proc.stderr.strip() or 'failed'}"
                           " (does the file system support ACLs? mount with 'acl')")
    return proc.stdout


def apply(p: FolderPlan) -> None:
    """Replace the folder's ACLs (recursively) and its default ACLs with the plan."""
    spec = _acl_spec(p.logins)
    _run(["setfacl", "-R", "-b", str(p.folder)])
    _run(["setfacl", "-R", "-m", spec, str(p.folder)])
    _run(["setfacl", "-R", "-d", "-m", spec.replace("X", "x"), str(p.folder)])


def current_logins(path: Path) -> tuple[set[str], str]:
    """(named users with access, the 'other' permissions) of a file or folder."""
    users, other = set(), ""
    for line in _run(["getfacl", "-cp", str(path)]).splitlines():
        kind, _, rest = line.partition(":")
        name, _, perms = rest.partition(":")
        perms = perms.split()[0] if perms else ""
        if kind == "user" and name and perms.strip("-"):
            users.add(name)
        elif kind == "other":
            other = perms
    return users, other


def drift(p: FolderPlan) -> list[str]:
    """What differs between the plan and the folder (and its record) on disk."""
    found = []
    for path in (p.folder, p.folder / "client.yaml"):
        if not path.exists():
            continue
        users, other = current_logins(path)
        rel = f"{p.folder.name}/{path.name}" if path != p.folder else p.folder.name
        if extra := sorted(users - set(p.logins)):
            found.append(f"{rel}: {', '.join(extra)} may use it but should not")
        if missing := sorted(set(p.logins) - users):
            found.append(f"{rel}: {', '.join(missing)} should be able to use it")
        if other.strip("-"):
            found.append(f"{rel}: everyone may use it ({other}); run 'permissions apply'")
    return found
