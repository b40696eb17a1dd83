"""`open`: one file of a client folder, named by its hit number in the caller's last
search or by its path; the same rules as `client show` (the client must be
visible, a confidential entry's files only for whom may see them, no link
followed) and the read is audited like it. On a desktop the caller's own process
opens it with the desktop's viewer (outside.py)."""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from archive_tool.archive import Archive
from archive_tool.config import CLIENTS_DIR
from archive_tool.errors import NotFound, UsageError
from archive_tool.files import stat_in
from archive_tool.finding import last_hit
from archive_tool.i18n import _
from archive_tool.records import client_folders


@dataclass(frozen=True)
class Opened:
    client_id: str
    path: str       # relative to the archive root
    absolute: str
    opened: bool    # the desktop's viewer was started


def _relative(archive: Archive, target: str) -> str:
    """The archive path a hit number or a path names."""
    if target.isdigit():
        found = last_hit(archive, int(target))
        if found is None:
            raise NotFound(_("there is no hit {n} in your last search; search first, then"
                             " open one of its numbers").format(n=target))
        return found
    given = Path(target)
    if not given.is_absolute() and PurePosixPath(target).parts[:1] != (CLIENTS_DIR,):
        given = Path(archive.outside.resolve(target))
    if given.is_absolute():
        try:
            return given.relative_to(archive.root).as_posix()
        except ValueError:
            raise UsageError(_("{path} is not in this archive ({root})").format(
                path=target, root=archive.root)) from None
    return PurePosixPath(target).as_posix()


def open_file(archive: Archive, target: str, show: bool = True) -> Opened:
    archive.require("open")
    rel = _relative(archive, target)
    parts = rel.split("/")
    if len(parts) < 3 or parts[0] != CLIENTS_DIR or any(p in ("", ".", "..") for p in parts):
        raise UsageError(_("{path}: not a file of a client folder; give a hit number or a"
                           " path under {clients}/").format(path=rel, clients=CLIENTS_DIR))
    owner = {folder.name: cid for cid, folder in client_folders(archive.root)}.get(parts[1])
    if owner is None:
        raise NotFound(_("{path}: no such file").format(path=rel))
    client = archive.client(owner, "open")
    if rel in archive.hidden_paths(client):
        archive.record("open", client=client.id, path=rel, outcome="not-found")
        raise NotFound(_("{path}: no such file").format(path=rel))
    try:
        is_file = stat.S_ISREG(stat_in(archive.root, rel).st_mode)
    except OSError:
        is_file = False
    if not is_file:  # missing, a folder, a link: nothing to open
        raise NotFound(_("{path}: no such file").format(path=rel))
    archive.record("open", client=client.id, path=rel)
    absolute = str(archive.root / rel)
    opened = False
    if show:
        try:
            opened = archive.outside.show(absolute)
        except OSError:
            opened = False
    return Opened(client.id, rel, absolute, opened)
