"""Important matters reach the information department (policy §3.4.4): every entry
marked `important: true` is listed for it (`review`, `status`, the compliance review)
until an information admin acknowledges it with `review ENTRY...`. Matters of business
confidentiality are the policy's exception: confidential entries are not listed."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from archive_tool.archive import Archive
from archive_tool.errors import NotFound, UsageError
from archive_tool.files import folder_fd
from archive_tool.i18n import _
from archive_tool.records import (
    CORRESPONDENCE,
    Client,
    Entry,
    client_folders,
    is_ignored,
    load_client,
    read_record,
)
from archive_tool.statedir import CATALOG
from archive_tool.yamlload import MAX_BYTES


@dataclass
class Matter:
    client_id: str
    client_name: str
    path: str
    date: str | None
    kind: str
    subject: str
    staff: list[str]

    def to_json(self) -> dict:
        return asdict(self)


def reviewed(archive: Archive) -> dict[str, dict]:
    """Entries an admin has acknowledged: path -> {client_id, at, by, note}."""
    if not (archive.state_dir / CATALOG).is_file():
        return {}
    return archive.catalog.reviewed()


def _matter(client_id: str, client_name: str, e: Entry) -> Matter:
    return Matter(client_id, client_name, e.relpath, e.date.isoformat() if e.date else None,
                  e.kind, str(e.data.get("subject", "")), e.staff)


def _awaiting(e: Entry, done: dict[str, dict]) -> bool:
    return e.data.get("important") is True and not e.confidential and e.relpath not in done


def matters_of(client: Client, done: dict[str, dict]) -> list[Matter]:
    """The client's important, not confidential entries no admin has acknowledged."""
    return [_matter(client.id, client.name, e) for e in client.entries if _awaiting(e, done)]


def _scan(archive: Archive, done: dict[str, dict]) -> Iterator[Matter]:
    """Every client's matters, reading in full only the entries that mention
    `important` (a pass over thousands of entries reads them once, quickly)."""
    root = archive.root
    for client_id, folder in client_folders(root):
        rel = f"{folder.relative_to(root).as_posix()}/{CORRESPONDENCE}"
        try:
            fd = folder_fd(root, rel)
        except OSError:
            continue
        try:
            with os.scandir(fd) as listing:
                names = sorted(e.name for e in listing)
            marked = [name for name in names
                      if name.endswith((".yaml", ".yml")) and not is_ignored(name)
                      and f"{rel}/{name}" not in done and _mentions_important(fd, name)]
        finally:
            os.close(fd)
        name_of_client: str | None = None
        for name in marked:
            path = f"{rel}/{name}"
            loaded, _problems = read_record(root, path, "entry", check=False)
            entry = Entry(folder / CORRESPONDENCE / name, path, loaded, [])
            if loaded is None or not _awaiting(entry, done):
                continue
            if name_of_client is None:
                name_of_client = load_client(root, client_id, folder, check=False).name
            yield _matter(client_id, name_of_client, entry)


def _mentions_important(folder: int, name: str) -> bool:
    """Whether a regular file in the folder mentions `important` (never through a
    link; a file that cannot be read mentions nothing)."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                     dir_fd=folder)
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        return b"important" in os.read(fd, MAX_BYTES)
    except OSError:
        return False
    finally:
        os.close(fd)


def pending(archive: Archive, client_id: str | None = None) -> list[Matter]:
    """Important matters awaiting the information department, oldest first."""
    archive.require_admin("review")
    done = reviewed(archive)
    if client_id:
        found = matters_of(archive.client(client_id, "review"), done)
    else:
        found = list(_scan(archive, done))
    archive.record("review-list", client=client_id, detail=f"{len(found)} pending")
    return sorted(found, key=lambda m: (m.date or "", m.path))


def _relative(archive: Archive, given: str) -> str:
    path = Path(given)
    if path.is_absolute():
        try:
            return path.resolve().relative_to(archive.root).as_posix()
        except ValueError:
            raise UsageError(_("{path} is not inside the archive").format(path=given)) from None
    return path.as_posix()


def acknowledge(archive: Archive, paths: list[str], note: str | None = None,
                ) -> list[Matter]:
    """An information admin has read these important matters: they leave the list."""
    archive.require_admin("review")
    done = reviewed(archive)
    waiting = {m.path: m for m in _scan(archive, done)}
    wanted = [_relative(archive, p) for p in paths]
    for rel in wanted:
        if rel not in waiting:
            if rel in done:
                raise UsageError(_("{path} was already reviewed on {at}").format(
                    path=rel, at=done[rel]["at"][:10]))
            raise NotFound(_("{path} is not an important matter awaiting review; see"
                             " 'archive-tool review'").format(path=rel))
    now = datetime.now(UTC).isoformat(timespec="seconds")
    by = archive.user.staff_id or archive.user.login
    acknowledged = []
    for rel in dict.fromkeys(wanted):
        matter = waiting[rel]
        archive.catalog.review(rel, matter.client_id, now, by, note)
        archive.record("review", client=matter.client_id, path=rel, detail=note)
        acknowledged.append(matter)
    return acknowledged


def pending_count(archive: Archive) -> int | None:
    """How many important matters await review (None for anyone but an admin)."""
    if not archive.user.is_admin:
        return None
    return sum(1 for _ in _scan(archive, reviewed(archive)))
