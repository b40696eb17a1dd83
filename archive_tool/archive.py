"""The archive: one object the CLI and the daemon use for everything."""

from __future__ import annotations

import contextlib
import re
import shutil
from datetime import date
from functools import cached_property
from pathlib import Path

from archive_tool import schema, templates
from archive_tool.access import User, identify, os_login
from archive_tool.config import (
    ARCHIVE_FILE,
    CLIENTS_DIR,
    STAFF_FILE,
    STATE_DIR,
    Settings,
    load_settings,
)
from archive_tool.errors import AccessDenied, Conflict, NotFound, UsageError
from archive_tool.files import copy_atomic, free_name, slug, write_atomic
from archive_tool.index.query import Results, Visibility, search
from archive_tool.index.store import SearchIndex
from archive_tool.problems import Problem
from archive_tool.reconcile import Progress, Reconciler, Report
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
from archive_tool.rules import Context, check_client
from archive_tool.state import Catalog

STATE_DB = "state.db"


class Archive:
    def __init__(self, root: Path, *, login: str | None = None, today: date | None = None):
        self.root = Path(root).resolve()
        self.settings: Settings = load_settings(self.root)
        self.roster = Roster.load(self.root)
        self.user: User = identify(self.roster, self.settings.demo, login)
        self.today = today or date.today()
        self.state_dir = self.root / STATE_DIR

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

    # --- reading ----------------------------------------------------------

    @cached_property
    def all_clients(self) -> list[Client]:
        return [load_client(self.root, cid, folder) for cid, folder in client_folders(self.root)]

    def visible_clients(self) -> list[Client]:
        self.user.require()
        return [c for c in self.all_clients if self.user.can_see(c)]

    def client(self, client_id: str) -> Client:
        """The client the caller asked for; denial and absence look alike to outsiders."""
        self.user.require()
        if not CLIENT_ID.match(client_id or ""):
            raise UsageError(f"'{client_id}' is not a client id (CL- and at least four digits)")
        found = [c for c in self.all_clients if c.id == client_id]
        if not found:
            raise NotFound(f"client {client_id} is not in this archive;"
                           " see 'archive-tool client list'")
        if not self.user.can_see(found[0]):
            raise AccessDenied(f"you may not open client {client_id}; ask its contact or the"
                               " information department for access")
        return found[0]

    @cached_property
    def context(self) -> Context:
        return Context(self.all_clients, self.roster, self.settings.policy, self.today)

    def archive_problems(self) -> list[Problem]:
        """Problems of archive.yaml, staff.yaml and stray folders."""
        loaded, problems = read_yaml(self.root / ARCHIVE_FILE, "archive", ARCHIVE_FILE)
        problems += self.roster.problems
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
        return sorted(found)

    @cached_property
    def extraction_problems(self) -> list[tuple[str, str]]:
        if not (self.state_dir / STATE_DB).is_file():
            return []
        return self.catalog.problems()

    def validate(self, ids: list[str] | None = None) -> list[Problem]:
        if ids:
            clients = [self.client(i) for i in ids]
            found = []
        else:
            clients = self.visible_clients()
            found = self.archive_problems() if self.user.is_admin else []
        for c in clients:
            found += self.problems(c)
        return sorted(found)

    def last_contact(self, client: Client) -> date | None:
        return max((e.date for e in client.entries if e.date and e.date <= self.today),
                   default=None)

    # --- index and search ---------------------------------------------------

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog(self.state_dir / STATE_DB)

    @cached_property
    def search_index(self) -> SearchIndex:
        return SearchIndex(self.state_dir / "index")

    def update_index(self, rebuild: bool = False, folders=None,
                     progress: Progress | None = None) -> Report:
        """Bring the index up to date with the files (only what changed)."""
        self.user.require()
        return Reconciler(self.root, self.settings, self.catalog, self.search_index).run(
            folders, rebuild=rebuild, progress=progress)

    def visibility(self) -> Visibility:
        user = self.user
        user.require()
        if user.is_admin:
            return Visibility(all_confidential=True)
        return Visibility(frozenset(c.id for c in self.all_clients if user.can_see(c)),
                          staff_id=user.staff_id)

    def search(self, text: str, client: str | None = None, kind: str | None = None,
               year: int | None = None, limit: int = 20,
               progress: Progress | None = None) -> tuple[Results, Report | None]:
        """Search what the caller may see; a missing index is built first."""
        visibility = self.visibility()
        if client:
            self.client(client)
        built = None
        if not self.search_index.current():
            built = self.update_index(progress=progress)
        return search(self.search_index, text, visibility=visibility, client=client,
                      kind=kind, year=year, limit=limit), built

    # --- writing ----------------------------------------------------------

    def next_client_id(self) -> str:
        used = [int(cid[3:]) for cid, _ in client_folders(self.root)]
        marker = self.state_dir / "last-client-id"
        with contextlib.suppress(OSError, ValueError):
            used.append(int(marker.read_text().strip()[3:]))
        return f"CL-{max(used, default=0) + 1:04d}"

    def new_client(self, name: str, category: str, special_type: str | None = None,
                   tier: str = "standard", important: bool = False,
                   staff: list[str] | None = None) -> Client:
        self.user.require()
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
        write_atomic(self.state_dir / "last-client-id", client_id + "\n")
        self.__dict__.pop("all_clients", None)
        self.__dict__.pop("context", None)
        return self.client(client_id)

    def log(self, client_id: str, kind: str, subject: str, *, when: date | None = None,
            direction: str | None = None, staff: list[str] | None = None,
            files: list[Path] = (), summary: str | None = None,
            confidential: bool = False, counterpart: str | None = None) -> Path:
        """Record a contact: copy the files in, then write the entry. Nothing is left
        behind when any step fails."""
        client = self.client(client_id)
        when = when or self.today
        if when > self.today:
            raise UsageError(f"date {when} is in the future; log contacts once they happen")
        staff = list(staff or ([self.user.staff_id] if self.user.staff_id else []))
        for sid in staff:
            if self.roster.get(sid) is None:
                raise NotFound(f"staff {sid} is not in {STAFF_FILE}")
        sources = [Path(f) for f in files]
        for src in sources:
            if not src.is_file():
                raise NotFound(f"{src}: no such file to attach")
        folder = client.folder / CORRESPONDENCE
        folder.mkdir(exist_ok=True)
        stem = f"{when.isoformat()}-{slug(subject)}"
        entry_name = free_name(folder, stem, ".yaml")
        names: list[str] = []
        copied: list[Path] = []
        try:
            for src in sources:
                base = re.sub(r"[^\w.-]+", "-", src.name).strip("-.") or "attachment"
                name = free_name(folder, Path(base).stem, Path(base).suffix.lower(),
                                 set(names) | {entry_name})
                copy_atomic(src, folder / name)
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
        return folder / entry_name

    # --- views ------------------------------------------------------------

    def register(self, category: str | None = None, tier: str | None = None,
                 staff: str | None = None, status: str | None = None) -> list[dict]:
        """The client list for review, one row per client the caller may see."""
        rows = []
        for c in self.visible_clients():
            d = c.data
            contacts = [str(x.get("staff")) for x in c.contacts]
            if (category and d.get("category") != category) or (tier and d.get(
                    "tier", "standard") != tier) or (status and d.get("status") != status) or (
                    staff and staff not in contacts):
                continue
            problems = self.problems(c)
            last = self.last_contact(c)
            rows.append({
                "id": c.id, "name": c.name, "category": d.get("category"),
                "special_type": d.get("special_type"), "tier": d.get("tier", "standard"),
                "important": d.get("important") is True, "status": d.get("status"),
                "contacts": contacts, "last_contact": last.isoformat() if last else None,
                "errors": sum(p.is_error for p in problems),
                "warnings": sum(not p.is_error for p in problems),
            })
        return rows

    def describe(self, client_id: str, last: int = 10) -> dict:
        """What 'client show' prints: record, contacts, last entries, reports, problems."""
        c = self.client(client_id)
        contacts = []
        for x in c.contacts:
            member = self.roster.get(str(x.get("staff")))
            contacts.append({**x, "name": member.name if member else None,
                             "status": member.status if member else "unknown"})
        entries = [e for e in c.entries if self.user.can_see_entry(c, e)]
        entries.sort(key=lambda e: (e.date or date.min, e.relpath), reverse=True)
        return {
            "id": c.id, "path": c.relpath, "record": c.data, "contacts": contacts,
            "entries_total": len(entries),
            "entries": [{"path": e.relpath, "date": e.date.isoformat() if e.date else None,
                         "kind": e.kind, "subject": e.data.get("subject"),
                         "attachments": e.attachments, "confidential": e.confidential}
                        for e in entries[:last]],
            "reports": c.reports(self.settings.policy),
            "problems": [p.to_json() for p in self.problems(c)],
        }
