"""Important matters reach the information department (policy §3.4.4): every entry
marked `important: true` is listed for it (`review`, `status`, the compliance review)
until an information admin acknowledges it with `review ENTRY...`. Matters of business
confidentiality are the policy's exception: confidential entries are not listed."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from archive_tool.archive import Archive
from archive_tool.errors import NotFound, UsageError
from archive_tool.i18n import _
from archive_tool.records import Client
from archive_tool.statedir import CATALOG


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


def matters_of(client: Client, done: dict[str, dict]) -> list[Matter]:
    """The client's important, not confidential entries no admin has acknowledged."""
    return [Matter(client.id, client.name, e.relpath, e.date.isoformat() if e.date else None,
                   e.kind, str(e.data.get("subject", "")), e.staff)
            for e in client.entries
            if e.data.get("important") is True and not e.confidential
            and e.relpath not in done]


def pending(archive: Archive, client_id: str | None = None) -> list[Matter]:
    """Important matters awaiting the information department, oldest first."""
    archive.require_admin("review")
    done = reviewed(archive)
    clients = [archive.client(client_id, "review")] if client_id else archive.all_clients
    found = [m for c in clients for m in matters_of(c, done)]
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
    waiting = {m.path: m for c in archive.all_clients for m in matters_of(c, done)}
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
    done = reviewed(archive)
    return sum(len(matters_of(c, done)) for c in archive.all_clients)
