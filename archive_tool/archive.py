"""The archive: one object the CLI and the daemon use for everything."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path

from archive_tool import permissions, schema, templates, yamledit
from archive_tool.access import User, identify, os_login
from archive_tool.audit import AuditLog
from archive_tool.catalog import Catalog
from archive_tool.config import (
    ARCHIVE_FILE,
    CLIENTS_DIR,
    STAFF_FILE,
    Settings,
    load_settings,
)
from archive_tool.errors import AccessDenied, Conflict, NotFound, UsageError
from archive_tool.files import copy_into, free_name, slug, write_atomic
from archive_tool.index.query import Results, Visibility, search
from archive_tool.index.store import SearchIndex
from archive_tool.journal import journal_lines
from archive_tool.ledger import Checkout, Ledger
from archive_tool.lockfile import DaemonLock
from archive_tool.outside import CallerFiles, LocalFiles
from archive_tool.problems import Problem
from archive_tool.reconcile import Progress, Reconciler, Report, sha256_of
from archive_tool.records import (
    CLIENT_FILE,
    CLIENT_ID,
    CORRESPONDENCE,
    Client,
    Roster,
    client_folders,
    load_client,
    read_yaml,
)
from archive_tool.resources import data_path
from archive_tool.rules import Context, Identity, check_client, normal_tax_id
from archive_tool.statedir import CATALOG, INDEX, LAST_CLIENT_ID, STATE_DIR, VERSIONS
from archive_tool.versions import Version, VersionStore


@dataclass
class SyncResult:
    report: Report
    found: list[Problem]
    fixed: list[Problem]


@dataclass
class Shared:
    """What the archive service keeps between requests: the warm index, one writer at
    a time, and who wrote which file through a command (a direct edit in the shared
    folder has no known author)."""

    index: SearchIndex
    writer: threading.Lock = dataclass_field(default_factory=threading.Lock)
    searching: threading.Lock = dataclass_field(default_factory=threading.Lock)
    authors: dict[tuple[str, str], str] = dataclass_field(default_factory=dict)


class Archive:
    def __init__(self, root: Path, *, login: str | None = None, today: date | None = None,
                 system: bool | None = None, outside: CallerFiles | None = None,
                 shared: Shared | None = None):
        """login and system: who is asking (default: this process's OS account; root
        and the service account act as the system). outside: the caller's own files.
        shared: set when the archive service runs the command."""
        self.root = Path(root).resolve()
        self.state_dir = self.root / STATE_DIR
        self._login = login
        self._system = system
        self._today = today
        self.outside: CallerFiles = outside or LocalFiles()
        self.in_service = shared is not None
        self.audit = AuditLog(self.state_dir)
        self.refresh()
        self.shared = shared or Shared(SearchIndex(self.state_dir / INDEX))

    def refresh(self) -> None:
        """Read archive.yaml, staff.yaml and the records again (a long-running
        process calls this before each pass)."""
        self.settings: Settings = load_settings(self.root)
        self.roster = Roster.load(self.root)
        login = self._login or os_login()
        system = self._system
        if system is None:
            system = login == self.settings.service_user or (
                os.geteuid() == 0 and self._login is None)
        self.user: User = identify(self.roster, self.settings.demo, login, system)
        self.today = self._today or date.today()
        for name in ("all_clients", "context", "extraction_problems", "unnoted_changes",
                     "open_edits"):
            self.__dict__.pop(name, None)

    # --- creation ---------------------------------------------------------

    @classmethod
    def create(cls, path: Path, name: str | None = None, sample: bool = False,
               login: str | None = None) -> Archive:
        path = Path(path).resolve()
        if (path / ARCHIVE_FILE).exists():
            raise Conflict(f"{path / ARCHIVE_FILE} already exists; this is an archive already")
        if path.exists() and any(path.iterdir()):
            raise Conflict(f"{path} is not empty; choose a new or empty folder")
        if sample:
            shutil.copytree(data_path("sample_archive"), path, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(STATE_DIR))
        else:
            login = login or os_login()
            (path / CLIENTS_DIR).mkdir(parents=True)
            write_atomic(path / ARCHIVE_FILE, templates.archive_settings(name or path.name))
            write_atomic(path / STAFF_FILE, templates.staff_roster(login))
        archive = cls(path, login=login)
        archive.install_schemas()
        return archive

    def install_schemas(self) -> None:
        """Copy the schemas where the files' yaml-language-server lines point."""
        folder = self.root / templates.SCHEMA_DIR
        folder.mkdir(parents=True, exist_ok=True)
        for kind in schema.KINDS:
            target = folder / f"{kind}.schema.json"
            text = schema.schema_text(kind)
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                write_atomic(target, text)

    # --- identity and audit ---------------------------------------------------

    def record(self, action: str, *, client: str | None = None, path: str | None = None,
               query: str | None = None, outcome: str = "ok",
               detail: str | None = None) -> None:
        """Append to the audit log; content is shown only once this succeeded."""
        self.audit.append(action, staff=self.user.staff_id, login=self.user.login,
                          outcome=outcome, client=client, path=path, query=query,
                          detail=detail)

    def require(self, action: str) -> None:
        """Refuse (and log) callers who may not use the archive at all."""
        try:
            self.user.require()
        except AccessDenied as e:
            self.record(action, outcome="denied", detail=str(e))
            raise

    def require_admin(self, action: str) -> None:
        self.require(action)
        if not self.user.is_admin:
            self.record(action, outcome="denied", detail="not an information admin")
            raise AccessDenied(f"{action} is for the information department's administrators")

    def audit_records(self, client: str | None = None, user: str | None = None,
                      since: date | None = None) -> list[dict]:
        self.require_admin("audit")
        start = since.isoformat() if since else ""
        found = [r for r in self.audit.records()
                 if (client is None or r.get("client") == client)
                 and (user is None or user in (r.get("staff"), r.get("login")))
                 and str(r.get("at", "")) >= start]
        self.record("audit", client=client, detail=f"user={user} since={since}")
        return found

    def audit_verify(self):
        self.require_admin("audit")
        verdict = self.audit.verify()
        self.record("audit-verify", outcome="ok" if verdict.ok else "error",
                    detail=verdict.message)
        return verdict

    def permission_plan(self, service_user: str | None) -> permissions.ArchivePlan:
        """The OS permissions the archive should have; for information admins and root
        (uid 0), who acts as the system even when not staff."""
        from archive_tool.access import is_root

        if not is_root(self.user.login):
            self.require_admin("permissions")
        return permissions.plan_archive(self.root, self.all_clients, self.roster, service_user)

    def apply_permissions(self, service_user: str | None
                          ) -> tuple[permissions.ArchivePlan, list[str], list[str]]:
        """(the plan, what changed, what is left alone and still differs: links)."""
        plan = self.permission_plan(service_user)
        changed = permissions.apply(plan)
        self.record("permissions-apply", detail="; ".join(changed) or "nothing to change")
        return plan, changed, permissions.drift(plan)

    def permission_drift(self, service_user: str | None) -> list[str]:
        found = permissions.drift(self.permission_plan(service_user))
        self.record("permissions-check", detail=f"{len(found)} differences")
        return found

    # --- reading ----------------------------------------------------------

    @cached_property
    def all_clients(self) -> list[Client]:
        return [load_client(self.root, cid, folder) for cid, folder in client_folders(self.root)]

    def visible_clients(self) -> list[Client]:
        self.require("list")
        return [c for c in self.all_clients if self.user.can_see(c)]

    def client(self, client_id: str, action: str = "open") -> Client:
        """The client the caller asked for, if they may see it. To anyone but an admin,
        a client that does not exist and one they may not see look the same."""
        self.require(action)
        if not CLIENT_ID.match(client_id or ""):
            raise UsageError(f"'{client_id}' is not a client id (CL- and at least four digits)")
        if "all_clients" in self.__dict__:
            found = [c for c in self.all_clients if c.id == client_id]
        else:
            found = [load_client(self.root, cid, folder)
                     for cid, folder in client_folders(self.root) if cid == client_id]
        if not found and self.user.is_admin:
            raise NotFound(f"client {client_id} is not in this archive;"
                           " see 'archive-tool client list'")
        if not found or not self.user.can_see(found[0]):
            self.record(action, client=client_id, outcome="denied")
            raise AccessDenied(f"you may not open client {client_id}; ask the information"
                               " department if you need it")
        return found[0]

    @cached_property
    def context(self) -> Context:
        return Context(map(Identity.of, self.all_clients), self.roster, self.settings.policy,
                       self.today)

    def archive_problems(self) -> list[Problem]:
        """Problems of archive.yaml, staff.yaml and stray folders."""
        loaded, problems = read_yaml(self.root / ARCHIVE_FILE, "archive", ARCHIVE_FILE)
        problems += Roster.load(self.root, check=True).problems
        base = self.root / CLIENTS_DIR
        ids = {folder.name for _, folder in client_folders(self.root)}
        if base.is_dir():
            for entry in sorted(base.iterdir()):
                if entry.name not in ids and not entry.name.startswith("."):
                    problems.append(Problem(
                        f"{CLIENTS_DIR}/{entry.name}", 1, 1, "folder-name", "warning",
                        "not a client folder (CL-0000 or CL-0000-slug); rename or move it"))
        return problems

    def problems(self, client: Client) -> list[Problem]:
        found = check_client(client, self.context)
        prefix = client.relpath + "/"
        found += [Problem(path, 1, 1, "extract-failed", "warning", f"{problem}")
                  for path, problem in self.extraction_problems if path.startswith(prefix)]
        for held in self.edit_conflicts(client):
            found.append(Problem(held.path, 1, 1, "checked-out-edited", "warning",
                                 f"changed here while checked out for editing by {held.login}"
                                 f" until {held.due}; both versions are kept: agree which"
                                 " one stays before the check-in"))
        for field, at in self.unnoted_changes.get(client.id, []):
            line, column = client.mark(field)
            found.append(Problem(client.record_path, line, column, "change-unnoted", "warning",
                                 f"{field} changed on {at[:10]} without a note: add one to"
                                 " changes (date, by, summary)"))
        return sorted(set(found))

    @cached_property
    def extraction_problems(self) -> list[tuple[str, str]]:
        if not (self.state_dir / CATALOG).is_file():
            return []
        return self.catalog.problems()

    @cached_property
    def open_edits(self) -> list[Checkout]:
        """Open edit check-outs, read once per refresh (not once per client)."""
        if not (self.state_dir / CATALOG).is_file():
            return []
        return [c for c in self.ledger.open() if c.edit]

    def edit_conflicts(self, client: Client) -> list[Checkout]:
        """Open edit check-outs of the client whose file changed in the archive since."""
        held = [c for c in self.open_edits if c.client_id == client.id]
        if not held:
            return []
        rows = self.catalog.rows(under=[client.relpath])
        return [c for c in held if c.path in rows and rows[c.path].sha256 != c.sha256]

    @cached_property
    def unnoted_changes(self) -> dict[str, list[tuple[str, str]]]:
        if not (self.state_dir / CATALOG).is_file():
            return {}
        return self.catalog.unnoted()

    def validate(self, ids: list[str] | None = None) -> list[Problem]:
        if ids:
            clients = [self.client(i, "validate") for i in ids]
            found = []
        else:
            clients = self.visible_clients()
            found = self.archive_problems() if self.user.is_admin else []
        for c in clients:
            found += self.visible_problems(c)
        self.record("validate", detail=" ".join(c.id for c in clients))
        return sorted(found)

    def hidden_paths(self, client: Client) -> set[str]:
        """The files of the client's entries the caller may not see (confidential
        entries of others and their attachments), relative to the root."""
        return {p for e in client.entries if not self.user.can_see_entry(client, e)
                for p in (e.relpath, *(f"{client.relpath}/{CORRESPONDENCE}/{a}"
                                       for a in e.attachments))}

    def visible_problems(self, client: Client) -> list[Problem]:
        """The client's problems, without those of entries the caller may not see."""
        hidden = self.hidden_paths(client)
        return [p for p in self.problems(client) if p.path not in hidden]

    def last_contact(self, client: Client) -> date | None:
        return max((e.date for e in client.entries if e.date and e.date <= self.today),
                   default=None)

    # --- index and search ---------------------------------------------------

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog(self.state_dir / CATALOG)

    @cached_property
    def versions(self) -> VersionStore:
        return VersionStore(self.state_dir / VERSIONS, self.catalog.db)

    @cached_property
    def ledger(self) -> Ledger:
        return Ledger(self.catalog.db)

    @property
    def search_index(self) -> SearchIndex:
        return self.shared.index

    def update_index(self, rebuild: bool = False, folders=None,
                     progress: Progress | None = None) -> Report:
        """Bring the index up to date with the files (only what changed). By hand
        it is refused while the daemon runs, the index's one writer then; through
        the service it waits for the daemon's pass to end."""
        self.require("index")
        if rebuild:
            self.require_admin("index --rebuild")
        if not self.in_service:
            pid = self.daemon_pid()
            if pid:
                raise Conflict(f"the daemon (pid {pid}) keeps this archive's index up to"
                               " date; stop it to rebuild or reindex by hand")
        with self.shared.writer:
            report = self.sync(folders, rebuild=rebuild, progress=progress).report
        self.record("index", detail=report.summary())
        return report

    def daemon_pid(self) -> int | None:
        return DaemonLock(self.state_dir).holder()

    def wrote(self, path: Path, how: str = "command") -> None:
        """Remember that the caller wrote this file through a command, so the pass
        that finds it names them (a direct edit in the folder names nobody)."""
        try:
            sha = sha256_of(path)
        except OSError:
            return
        rel = path.relative_to(self.root).as_posix()
        self.shared.authors[(rel, sha)] = self.user.login
        if len(self.shared.authors) > 10_000:
            self.shared.authors.pop(next(iter(self.shared.authors)))

    def sync(self, folders: list[Path] | None = None, *, rebuild: bool = False,
             revalidate: bool = False, stop: Callable[[], bool] | None = None,
             progress: Progress | None = None,
             hold: Callable[[str, os.stat_result], bool] | None = None) -> SyncResult:
        """Reconcile the index with the files of the given client folders (all when
        None), journal record changes and validate the clients that changed, those
        never validated, and every client when revalidate is set or the day changed
        (some rules depend on the date); the daemon's unit of work."""
        self.refresh()
        report = Reconciler(self.root, self.settings, self.catalog, self.search_index).run(
            folders, rebuild=rebuild, progress=progress, stop=stop, hold=hold)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        self._keep_versions(None if folders is None else [
            Path(f).resolve().relative_to(self.root).as_posix() for f in folders], report, stop)
        folders_now = {folder.name: (cid, folder) for cid, folder in client_folders(self.root)}
        changed = [load_client(self.root, *folders_now[name])
                   for name in sorted(report.folders) if name in folders_now]
        for c in changed:
            self._journal(c, now)
        self.__dict__.pop("unnoted_changes", None)
        self.__dict__.pop("extraction_problems", None)
        before = self.catalog.validation()
        everyone = revalidate or self.catalog.get_meta("validated_on") != self.today.isoformat()
        if everyone:
            clients = self.all_clients
        else:
            # The others as last seen: a pass that touched one folder reads one folder.
            clients = changed + [load_client(self.root, cid, folder)
                                 for name, (cid, folder) in folders_now.items()
                                 if cid not in before and name not in report.folders]
            self.context = self._light_context(clients, folders_now)
        results = {}
        for c in clients:
            results[c.id] = [p.to_json() for p in self.problems(c)]
            c.forget_entries()  # a pass over every client must not hold them all
        self.catalog.save_validation(results, now)
        if everyone:
            self.catalog.forget_validation({c.id for c in self.all_clients})
            self.catalog.set_meta("validated_on", self.today.isoformat())
        found, fixed = [], []
        for cid, problems in results.items():
            old = {json.dumps(p, sort_keys=True) for p in before.get(cid, [])}
            new = {json.dumps(p, sort_keys=True) for p in problems}
            found += [Problem(**json.loads(p)) for p in sorted(new - old)]
            fixed += [Problem(**json.loads(p)) for p in sorted(old - new)]
        for name in ("all_clients", "context"):
            self.__dict__.pop(name, None)
        return SyncResult(report, found, fixed)

    def _keep_versions(self, under: list[str] | None, report: Report,
                       stop: Callable[[], bool] | None) -> None:
        """Store every file content the catalog has that the version store lacks (what
        this pass saw change, and whatever an interrupted pass left). A direct edit
        of a file checked out for editing is recorded: both versions are kept."""
        items = [(self.root / path, path, sha, self.shared.authors.get((path, sha)))
                 for path, sha in self.versions.missing(under)]
        self.versions.keep_many(items, "daemon", stop or (lambda: False))
        for path, sha in report.written:
            held = self.ledger.open_edit(path)
            if held and held.sha256 != sha:
                self.audit.append("direct-edit", staff=None, login=None,
                                  client=held.client_id, path=path, outcome="conflict",
                                  detail=f"changed in the shared folder (author unknown) while"
                                         f" checked out for editing by {held.login}"
                                         f" (check-out {held.id})")

    def _light_context(self, fresh: list[Client],
                       folders: dict[str, tuple[str, Path]]) -> Context:
        """The archive's identities from the fresh clients and, for the others, the
        records as last seen (kept by the journal)."""
        seen = self.catalog.records()
        known = {c.folder.name for c in fresh}
        identities = [Identity.of(c) for c in fresh] + [
            Identity(f"{CLIENTS_DIR}/{name}", cid, normal_tax_id(seen.get(cid, {}).get("tax_id")))
            for name, (cid, _) in folders.items() if name not in known]
        return Context(identities, self.roster, self.settings.policy, self.today)

    def _journal(self, client: Client, now: str) -> None:
        """Record field-level changes of client.yaml since it was last seen."""
        if client.loaded is None:
            return
        old = self.catalog.record(client.id)
        if old == client.data:
            return
        rows: list[tuple] = []
        noted = False
        if old is not None:
            try:
                sha = sha256_of(client.folder / CLIENT_FILE)
            except OSError:
                sha = ""
            author = self.shared.authors.get((client.record_path, sha))
            rows, noted = journal_lines(old, client.data, now, client.record_path, author)
        self.catalog.save_record(client.id, client.data, rows, noted)

    def history(self, client_id: str) -> tuple[list[dict], list[Version]]:
        """The record's field-level journal and the stored versions of the client's
        files (those of entries the caller may not see left out)."""
        client = self.client(client_id, "history")
        hidden = self.hidden_paths(client)
        files = [v for v in self.versions.under(client.relpath) if v.path not in hidden]
        self.record("history", client=client_id)
        return self.catalog.journal(client_id), files

    def visibility(self) -> Visibility:
        user = self.user
        self.require("search")
        if user.is_admin:
            return Visibility(all_confidential=True)
        records = (load_client(self.root, cid, folder, check=False)
                   for cid, folder in client_folders(self.root))
        return Visibility(frozenset(c.id for c in records if user.can_see(c)),
                          staff_id=user.staff_id)

    def search(self, text: str, client: str | None = None, kind: str | None = None,
               year: int | None = None, limit: int = 20,
               progress: Progress | None = None) -> tuple[Results, Report | None]:
        """Search what the caller may see; a missing index is built first."""
        visibility = self.visibility()
        if client:
            self.client(client, "search")
        built = None
        if not self.search_index.current():
            pid = self.daemon_pid()
            if pid:
                raise Conflict(f"the daemon (pid {pid}) is building the index; search again"
                               " in a moment")
            built = self.update_index(progress=progress)
        with self.shared.searching:
            results = search(self.search_index, text, visibility=visibility, client=client,
                             kind=kind, year=year, limit=limit)
        self.record("search", client=client, query=text,
                    detail=f"{results.total} hits; shown: "
                           + " ".join(h.path for h in results.hits))
        return results, built

    # --- writing ----------------------------------------------------------

    def next_client_id(self) -> str:
        used = [int(cid[3:]) for cid, _ in client_folders(self.root)]
        marker = self.state_dir / LAST_CLIENT_ID
        with contextlib.suppress(OSError, ValueError):
            used.append(int(marker.read_text().strip()[3:]))
        return f"CL-{max(used, default=0) + 1:04d}"

    def new_client(self, name: str, category: str, special_type: str | None = None,
                   tier: str = "standard", important: bool = False,
                   staff: list[str] | None = None) -> Client:
        self.require("client-new")
        staff = list(staff or ([] if self.user.staff_id is None else [self.user.staff_id]))
        for sid in staff:
            if self.roster.get(sid) is None:
                raise NotFound(f"staff {sid} is not in {STAFF_FILE}; see its list of staff")
        if (category == "special") != bool(special_type):
            raise UsageError("--special-type is required for category special, and only then")
        client_id = self.next_client_id()
        folder = self.root / CLIENTS_DIR / f"{client_id}-{slug(name, 30)}"
        text = templates.client_record(client_id, name, category, special_type, tier,
                                       important, staff, self.today, self.user.staff_id)
        self.install_schemas()
        tmp = folder.with_name(f".{folder.name}.new")
        shutil.rmtree(tmp, ignore_errors=True)
        (tmp / CORRESPONDENCE).mkdir(parents=True)
        (tmp / "reports").mkdir()
        write_atomic(tmp / CLIENT_FILE, text)
        tmp.rename(folder)
        self.state_dir.mkdir(exist_ok=True)
        write_atomic(self.state_dir / LAST_CLIENT_ID, client_id + "\n")
        self.wrote(folder / CLIENT_FILE)
        self.__dict__.pop("all_clients", None)
        self.__dict__.pop("context", None)
        self.record("client-new", client=client_id, path=folder.relative_to(self.root).as_posix())
        return self.client(client_id)

    def log(self, client_id: str, kind: str, subject: str, *, when: date | None = None,
            direction: str | None = None, staff: list[str] | None = None,
            files: list[Path] = (), summary: str | None = None,
            confidential: bool = False, counterpart: str | None = None,
            sends: str | None = None) -> Path:
        """Record a contact: copy the files in, then write the entry. Nothing is left
        behind when any step fails. sends names a draft entry this letter sends."""
        client = self.client(client_id, "log")
        draft = None
        if sends:
            draft = next((e for e in client.entries if e.path.name == sends
                          and e.data.get("draft") is True), None)
            if draft is None:
                raise NotFound(f"{sends}: no draft entry of that name in {client.relpath}/"
                               f"{CORRESPONDENCE}")
        when = when or self.today
        if when > self.today:
            raise UsageError(f"date {when} is in the future; log contacts once they happen")
        staff = list(staff or ([self.user.staff_id] if self.user.staff_id else []))
        for sid in staff:
            if self.roster.get(sid) is None:
                raise NotFound(f"staff {sid} is not in {STAFF_FILE}")
        sources = [str(f) for f in files]
        for src in sources:
            if self.outside.kind(src) != "file":
                raise NotFound(f"{src}: no such file to attach")
        folder = client.folder / CORRESPONDENCE
        folder.mkdir(exist_ok=True)
        stem = f"{when.isoformat()}-{slug(subject)}"
        entry_name = free_name(folder, stem, ".yaml")
        names: list[str] = []
        copied: list[Path] = []
        try:
            for src in sources:
                base = re.sub(r"[^\w.-]+", "-", Path(src).name).strip("-.") or "attachment"
                name = free_name(folder, Path(base).stem, Path(base).suffix.lower(),
                                 set(names) | {entry_name})
                with self.outside.open_read(src) as inp:
                    copy_into(self.root, (folder / name).relative_to(self.root).as_posix(),
                              inp, exclusive=True)
                copied.append(folder / name)
                names.append(name)
            text = templates.entry_record({
                "date": when, "kind": kind, "direction": direction, "staff": staff,
                "counterpart": counterpart, "subject": subject, "summary": summary,
                "attachments": names, "confidential": confidential})
            write_atomic(folder / entry_name, text, exclusive=True)
        except BaseException:
            for path in copied:
                path.unlink(missing_ok=True)
            raise
        if draft is not None:
            sent_on = when

            def mark_sent(data) -> None:
                data["draft"] = False
                data["sent"] = sent_on

            yamledit.edit(draft.path, mark_sent)
            self.wrote(draft.path)
        for path in (*copied, folder / entry_name):
            self.wrote(path)
        self.record("log", client=client_id,
                    path=(folder / entry_name).relative_to(self.root).as_posix(),
                    detail=f"{kind}: {subject}" + (f"; files: {', '.join(names)}" if names else ""))
        return folder / entry_name
