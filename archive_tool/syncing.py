"""Bringing the tool's state up to date with the files: the index and catalog, the
versions, the record journal and each client's validation result. The daemon's
unit of work, and `index`."""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from archive_tool import grants, scans
from archive_tool.archive import Archive
from archive_tool.checking import Findings
from archive_tool.config import CLIENTS_DIR
from archive_tool.errors import Conflict
from archive_tool.i18n import _
from archive_tool.journal import journal_lines
from archive_tool.problems import Problem
from archive_tool.reconcile import Progress, Reconciler, Report, sha256_in
from archive_tool.records import Client, client_folders, load_client
from archive_tool.rules import Context, Identity, normal_tax_id
from archive_tool.statedir import CATALOG

log = logging.getLogger("archive_tool.syncing")


@dataclass
class SyncResult:
    report: Report
    found: list[Problem]
    fixed: list[Problem]


def update_index(archive: Archive, rebuild: bool = False, folders=None,
                 progress: Progress | None = None) -> Report:
    """Bring the index up to date with the files (only what changed). By hand it is
    refused while the daemon runs, the index's one writer then; through the service
    it waits for the daemon's pass to end."""
    archive.require("index")
    if rebuild:
        archive.require_admin("index --rebuild")
    if not archive.in_service:
        pid = archive.daemon_pid()
        if pid:
            raise Conflict(_("the daemon (pid {pid}) keeps this archive's index up to date;"
                             " stop it to rebuild or reindex by hand").format(pid=pid))
    with archive.shared.writer:
        report = sync(archive, folders, rebuild=rebuild, progress=progress).report
        if not archive.in_service:  # the service's daemon reads them in the background
            read_scans(archive, progress=progress)
    archive.record("index", detail=report.summary())
    return report


def read_scans(archive: Archive, stop: Callable[[], bool] | None = None,
               progress: Progress | None = None) -> int:
    """OCR of every scanned file waiting for it, then a pass over their folders so
    that they are found by their text; returns how many contents were read. The
    caller holds the writer."""
    folders: set[str] = set()
    read = 0
    for _sha, paths in scans.drain(archive.root, archive.state_dir / CATALOG,
                                   stop or (lambda: False), progress):
        read += 1
        folders.update(p.split("/")[1] for p in paths)
    if folders:
        sync(archive, [archive.root / CLIENTS_DIR / name for name in sorted(folders)],
             stop=stop)
    return read


def sync(archive: Archive, folders: list[Path] | None = None, *, rebuild: bool = False,
         revalidate: bool = False, stop: Callable[[], bool] | None = None,
         progress: Progress | None = None,
         hold: Callable[[str, os.stat_result], bool] | None = None) -> SyncResult:
    """Reconcile the index with the files of the given client folders (all when None),
    journal record changes and validate the clients that changed, those never
    validated, and every client when revalidate is set or the day changed (some
    rules depend on the date)."""
    archive.refresh()
    root = archive.root
    report = Reconciler(root, archive.settings, archive.catalog, archive.search_index).run(
        folders, rebuild=rebuild, progress=progress, stop=stop, hold=hold)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    _keep_versions(archive, None if folders is None else [
        Path(f).resolve().relative_to(root).as_posix() for f in folders], report, stop)
    folders_now = {folder.name: (cid, folder) for cid, folder in client_folders(root)}
    changed = [load_client(root, *folders_now[name])
               for name in sorted(report.folders) if name in folders_now]
    for c in changed:
        _journal(archive, c, now)
    catalog = archive.catalog
    before = catalog.validation()
    everyone = revalidate or catalog.get_meta("validated_on") != archive.today.isoformat()
    if everyone:
        clients = archive.all_clients
        findings = Findings(archive)
    else:
        # The others as last seen: a pass that touched one folder reads one folder.
        clients = changed + [load_client(root, cid, folder)
                             for name, (cid, folder) in folders_now.items()
                             if cid not in before and name not in report.folders]
        findings = Findings(archive, _light_context(archive, clients, folders_now))
    results = {}
    for c in clients:
        results[c.id] = [p.to_json() for p in findings.problems(c)]
        c.forget_entries()  # a pass over every client must not hold them all
    catalog.save_validation(results, now)
    if everyone:
        catalog.forget_validation({c.id for c in archive.all_clients})
        catalog.set_meta("validated_on", archive.today.isoformat())
    found, fixed = [], []
    for cid, problems in results.items():
        new, gone = _compare(before.get(cid, []), problems)
        found += new
        fixed += gone
    archive.forget_clients()
    return SyncResult(report, found, fixed)


def _compare(old: list[dict], new: list[dict]) -> tuple[list[Problem], list[Problem]]:
    """(problems found, problems fixed) between two validations of a client. A problem
    only worded anew (by a pass in another language) is neither."""
    def key(p: dict) -> str:
        return json.dumps(p, sort_keys=True)

    def place(p: dict) -> tuple:
        return tuple(p.get(k) for k in ("path", "line", "column", "rule", "severity"))

    old_keys, new_keys = {key(p) for p in old}, {key(p) for p in new}
    found = [p for p in new if key(p) not in old_keys]
    fixed = [p for p in old if key(p) not in new_keys]
    reworded = Counter(map(place, found)) & Counter(map(place, fixed))
    left_found, left_fixed = Counter(reworded), Counter(reworded)
    kept_found, kept_fixed = [], []
    for p in found:
        if left_found[place(p)] > 0:
            left_found[place(p)] -= 1
        else:
            kept_found.append(Problem(**p))
    for p in fixed:
        if left_fixed[place(p)] > 0:
            left_fixed[place(p)] -= 1
        else:
            kept_fixed.append(Problem(**p))
    return sorted(kept_found), sorted(kept_fixed)


def _keep_versions(archive: Archive, under: list[str] | None, report: Report,
                   stop: Callable[[], bool] | None) -> None:
    """Store every file content the catalog has that the version store lacks (what this
    pass saw change, and whatever an interrupted pass left). A direct edit of a file
    checked out for editing is recorded: both versions are kept. Its author is
    known only when the service wrote it for someone."""
    authors = archive.shared.authors
    items = [(archive.root / path, path, sha, authors.get((path, sha)))
             for path, sha in archive.versions.missing(under)]
    kept = archive.versions.keep_many(items, "daemon", stop or (lambda: False))
    for not_kept in kept.not_kept:
        log.warning("%s", not_kept.message)
    for path, sha in report.written:
        held = archive.ledger.open_edit(path)
        if held and held.sha256 != sha:
            archive.audit.append("direct-edit", staff=None, login=None,
                                 client=held.client_id, path=path, outcome="conflict",
                                 detail=f"changed in the shared folder (author unknown) while"
                                        f" checked out for editing by {held.login}"
                                        f" (check-out {held.id})")


def _light_context(archive: Archive, fresh: list[Client],
                   folders: dict[str, tuple[str, Path]]) -> Context:
    """The archive's identities from the fresh clients and, for the others, the
    records as last seen (kept by the journal)."""
    seen = archive.catalog.records()
    known = {c.folder.name for c in fresh}
    identities = [Identity.of(c) for c in fresh] + [
        Identity(f"{CLIENTS_DIR}/{name}", cid, normal_tax_id(seen.get(cid, {}).get("tax_id")))
        for name, (cid, _) in folders.items() if name not in known]
    return Context(identities, archive.roster, archive.settings.policy, archive.today)


def _journal(archive: Archive, client: Client, now: str) -> None:
    """Record field-level changes of client.yaml since it was last seen."""
    if client.loaded is None:
        return
    old = archive.catalog.record(client.id)
    try:
        sha = sha256_in(archive.root, client.record_path)
    except OSError:
        sha = ""
    author = archive.shared.authors.get((client.record_path, sha))
    grants.observe(archive, client, old, author, now)  # a direct grant widens nothing
    if old == client.data:
        return
    rows: list[tuple] = []
    noted = False
    if old is not None:
        rows, noted = journal_lines(old, client.data, now, client.record_path, author)
    archive.catalog.save_record(client.id, client.data, rows, noted)
