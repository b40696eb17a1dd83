"""What the commands show: the client register, one client, the daemon's status."""

from __future__ import annotations

import json
from datetime import date

from archive_tool import ocr, reviews
from archive_tool.archive import Archive
from archive_tool.checking import Findings
from archive_tool.statedir import CATALOG, DAEMON_STATUS


def register(archive: Archive, category: str | None = None, tier: str | None = None,
             staff: str | None = None, status: str | None = None) -> list[dict]:
    """The client list for review, one row per client the caller may see."""
    rows = []
    findings = Findings(archive)
    for c in archive.visible_clients():
        d = c.data
        contacts = [str(x.get("staff")) for x in c.contacts]
        if (category and d.get("category") != category) or (tier and d.get(
                "tier", "standard") != tier) or (status and d.get("status") != status) or (
                staff and staff not in contacts):
            continue
        problems = findings.visible(c)
        last = archive.last_contact(c)
        rows.append({
            "id": c.id, "name": c.name, "category": d.get("category"),
            "special_type": d.get("special_type"), "tier": d.get("tier", "standard"),
            "important": d.get("important") is True, "status": d.get("status"),
            "contacts": contacts, "last_contact": last.isoformat() if last else None,
            "errors": sum(p.is_error for p in problems),
            "warnings": sum(not p.is_error for p in problems),
        })
    archive.record("list", detail=f"{len(rows)} clients: " + " ".join(r["id"] for r in rows))
    return rows

def describe(archive: Archive, client_id: str, last: int = 10) -> dict:
    """What 'client show' prints: record, contacts, last entries, reports, problems."""
    c = archive.client(client_id, "show")
    contacts = []
    for x in c.contacts:
        member = archive.roster.get(str(x.get("staff")))
        contacts.append({**x, "name": member.name if member else None,
                         "status": member.status if member else "unknown"})
    entries = [e for e in c.entries if archive.user.can_see_entry(c, e)]
    archive.record("show", client=c.id, path=c.record_path)
    entries.sort(key=lambda e: (e.date or date.min, e.relpath), reverse=True)
    return {
        "id": c.id, "path": c.relpath, "record": c.data, "contacts": contacts,
        "entries_total": len(entries),
        "entries": [{"path": e.relpath, "date": e.date.isoformat() if e.date else None,
                     "kind": e.kind, "subject": e.data.get("subject"),
                     "attachments": e.attachments, "confidential": e.confidential}
                    for e in entries[:last]],
        "reports": c.reports(archive.settings.policy),
        "problems": [p.to_json() for p in Findings(archive).visible(c)],
    }


def _untexted(archive: Archive, visible: set[str]) -> list[dict]:
    """The scanned files with no text the caller may see, and why."""
    from archive_tool.scans import ScanQueue

    found = [u for u in ScanQueue(archive.catalog.db).untexted() if u.client_id in visible]
    if found and not archive.user.is_admin:
        clients = {c.id: c for c in archive.visible_clients()}
        hidden = {p for cid in {u.client_id for u in found} if cid in clients
                  for p in archive.hidden_paths(clients[cid])}
        found = [u for u in found if u.path not in hidden]
    why = ocr.unavailable()
    return [{"path": u.path, "state": u.state, "reason": u.reason(why)} for u in found]


def status(archive: Archive) -> dict:
    """Daemon up or not, pending work, index freshness, clients with problems."""
    archive.require("status")
    pid = archive.daemon_pid()
    daemon: dict = {}
    try:
        daemon = json.loads((archive.state_dir / DAEMON_STATUS).read_text())
    except (OSError, ValueError):
        pass
    if not isinstance(daemon, dict):
        daemon = {}
    # an earlier daemon's file says when it last reconciled, nothing of this one
    own = daemon if pid and (pid < 0 or daemon.get("pid") == pid) else {}
    indexed = archive.catalog.count() if (archive.state_dir / CATALOG).is_file() else 0
    visible = {c.id for c in archive.visible_clients()}
    results = archive.catalog.validation() if indexed else {}
    opened = [c for c in archive.ledger.open() if c.client_id in visible] if indexed else []
    invalid = sorted(cid for cid, problems in results.items()
                     if cid in visible and any(p["severity"] == "error" for p in problems))
    return {
        "daemon": {"running": bool(pid), "pid": pid if pid and pid > 0 else None,
                   "started": own.get("started"),
                   "watcher": own.get("watcher"),
                   "last_reconcile": daemon.get("last_reconcile"),
                   "pending": own.get("pending", 0),
                   "oldest_pending_seconds": own.get("oldest_pending_seconds", 0.0)},
        "index": {"exists": archive.search_index.current(), "files": indexed,
                  "extraction_problems": len(Findings(archive).extraction_problems)},
        "no_text": _untexted(archive, visible) if indexed else [],
        "ocr": ocr.unavailable(),
        "versions_bytes": archive.versions.size_bytes() if indexed else 0,
        "checkouts": {"open": len(opened), "overdue": [c.path for c in opened
                                                       if c.overdue(archive.today)]},
        "clients": len(visible),
        "clients_with_errors": invalid,
        "important_matters": reviews.pending_count(archive),  # policy §3.4.4; admins only
    }
