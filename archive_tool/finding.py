"""`search`: what the caller may see, and nothing of what they may not (design §5).

The hits of each person's last search are kept (in .archive/, by login), so that
`open 3` opens the third of them."""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime

from archive_tool.archive import Archive
from archive_tool.errors import Conflict
from archive_tool.i18n import _
from archive_tool.index.query import Results
from archive_tool.index.query import search as query
from archive_tool.reconcile import Progress, Report
from archive_tool.statedir import SEARCHES
from archive_tool.syncing import update_index


def search(archive: Archive, text: str, client: str | None = None, kind: str | None = None,
           year: int | None = None, limit: int = 20,
           progress: Progress | None = None, *, page: int = 1,
           sort: str = "relevance") -> tuple[Results, Report | None]:
    """Search what the caller may see; a missing index is built first."""
    visibility = archive.visibility()
    if client:
        archive.client(client, "search")
    built = None
    if not archive.search_index.current():
        pid = archive.daemon_pid()
        if pid:
            raise Conflict(_("the daemon (pid {pid}) is building the index; search again in"
                             " a moment").format(pid=pid))
        built = update_index(archive, progress=progress)
    with archive.search_index.searching:
        results = query(archive.search_index, text, visibility=visibility, client=client,
                        kind=kind, year=year, limit=limit, page=page, sort=sort)
    archive.record("search", client=client, query=text,
                   detail=f"{results.total} documents; shown: "
                          + " ".join(h.path for h in results.hits))
    remember(archive, results)
    return results, built


def _searches_file(archive: Archive, login: str):
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in login) or "_"
    return archive.state_dir / SEARCHES / f"{safe}.json"


def remember(archive: Archive, results: Results) -> None:
    """Keep the caller's last hits (rank and file), for `open N`."""
    if not results.hits:
        return
    path = _searches_file(archive, archive.user.login)
    data = {"query": results.query, "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "hits": {str(h.rank): h.path for h in results.hits}}
    try:  # a note for the next `open`, not a record: replaced whole, never synced
        path.parent.mkdir(mode=0o700, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # `open N` then asks for a search first; the search itself succeeded


def last_hit(archive: Archive, rank: int) -> str | None:
    """The file of hit number `rank` of the caller's last search, or None."""
    try:
        data = json.loads(_searches_file(archive, archive.user.login).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    hit = (data.get("hits") or {}).get(str(rank)) if isinstance(data, dict) else None
    return hit if isinstance(hit, str) else None

