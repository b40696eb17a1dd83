"""`search`: what the caller may see, and nothing of what they may not (design §5)."""

from __future__ import annotations

from archive_tool.archive import Archive
from archive_tool.errors import Conflict
from archive_tool.index.query import Results
from archive_tool.index.query import search as query
from archive_tool.reconcile import Progress, Report
from archive_tool.syncing import update_index


def search(archive: Archive, text: str, client: str | None = None, kind: str | None = None,
           year: int | None = None, limit: int = 20,
           progress: Progress | None = None) -> tuple[Results, Report | None]:
    """Search what the caller may see; a missing index is built first."""
    visibility = archive.visibility()
    if client:
        archive.client(client, "search")
    built = None
    if not archive.search_index.current():
        pid = archive.daemon_pid()
        if pid:
            raise Conflict(f"the daemon (pid {pid}) is building the index; search again"
                           " in a moment")
        built = update_index(archive, progress=progress)
    with archive.shared.searching:
        results = query(archive.search_index, text, visibility=visibility, client=client,
                        kind=kind, year=year, limit=limit)
    archive.record("search", client=client, query=text,
                   detail=f"{results.total} hits; shown: "
                          + " ".join(h.path for h in results.hits))
    return results, built
