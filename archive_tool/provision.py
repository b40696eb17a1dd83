"""`setup`: hand an archive to the archive service (design §7). Idempotent: run it
again after moving the archive or changing the account, and it puts things right.

The service account is created when missing and given `.archive/` alone;
archive.yaml names the service; the shared folder gets the permissions of the
policy. Needs root.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from archive_tool import permissions, yamledit
from archive_tool.archive import Archive
from archive_tool.config import ARCHIVE_FILE
from archive_tool.errors import AccessDenied, ArchiveError, UsageError
from archive_tool.i18n import _
from archive_tool.locate import SOCKET_DIR, default_socket


@dataclass
class Setup:
    user: str
    socket: str
    created_account: bool = False
    changes: list[str] = field(default_factory=list)


def setup(archive: Archive, user: str, socket: str | None = None) -> Setup:
    if os.geteuid() != 0:
        raise AccessDenied(_("setup changes accounts and file owners: run it as root"
                             " (sudo archive-tool -A ROOT setup --service-user NAME)"))
    if archive.settings.demo:
        raise UsageError(_("{path} says demo: true (everyone is an admin); set demo: false"
                           " before sharing the archive").format(
                               path=archive.root / ARCHIVE_FILE))
    text = (archive.root / ARCHIVE_FILE).read_text(encoding="utf-8")
    socket = socket or archive.settings.service_socket or default_socket(text)
    if not socket.startswith("/"):
        raise UsageError(_("--socket {path}: give an absolute path").format(path=socket))
    done = Setup(user, socket)
    done.created_account = _account(user)
    entry = pwd.getpwnam(user)
    _state_folder(archive.state_dir, entry.pw_uid, entry.pw_gid)
    _socket_folder(Path(socket).parent, entry.pw_uid, entry.pw_gid)
    if (archive.settings.service_user, archive.settings.service_socket) != (user, socket):
        def name_service(data) -> None:
            data["service"] = {"user": user, "socket": socket}

        yamledit.edit(archive.root, ARCHIVE_FILE, name_service)
        done.changes.append(_("{file}: service {user} at {socket}").format(
            file=ARCHIVE_FILE, user=user, socket=socket))
    archive.refresh()
    plan = permissions.plan_archive(archive.root, archive.all_clients, archive.roster, user)
    done.changes += permissions.apply(plan)
    archive.record("setup", detail=f"service {user} at {socket}")
    return done


def _account(user: str) -> bool:
    """Create the system account when missing; True if it was created."""
    try:
        pwd.getpwnam(user)
        return False
    except KeyError:
        pass
    if shutil.which("useradd") is None:
        raise ArchiveError(_("no account {user} and no useradd to create it; create it"
                             " first").format(user=user))
    proc = subprocess.run(["useradd", "--system", "--user-group", "--no-create-home",
                           "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
                           "--comment", "archive-tool service", user],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise ArchiveError(_("useradd {user}: {problem}").format(
            user=user, problem=proc.stderr.strip() or _("failed")))
    return True


def _state_folder(state: Path, uid: int, gid: int) -> None:
    """.archive/: the service account's alone, everything in it."""
    state.mkdir(mode=0o700, exist_ok=True)
    if state.is_symlink():
        raise UsageError(_("{path} is a symbolic link; the archive never follows links")
                         .format(path=state))
    for dirpath, dirnames, filenames in os.walk(state):
        for path in [Path(dirpath), *(Path(dirpath) / n for n in dirnames + filenames)]:
            os.chown(path, uid, gid, follow_symlinks=False)
            if not path.is_symlink():
                path.chmod(0o700 if path.is_dir() else 0o600)
    if shutil.which("setfacl"):
        subprocess.run(["setfacl", "-R", "-P", "-b", str(state)], capture_output=True,
                       check=False)


def _socket_folder(folder: Path, uid: int, gid: int) -> None:
    """Where the socket lives: made for the service when missing (systemd's
    RuntimeDirectory= makes /run/archive-tool at each start)."""
    if not folder.exists():
        folder.mkdir(mode=0o755, parents=True)
    elif folder != Path(SOCKET_DIR):
        return
    os.chown(folder, uid, gid)
    folder.chmod(0o755)
