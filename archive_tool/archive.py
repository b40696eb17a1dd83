"""The archive as one command or the daemon sees it: who is asking (the session),
today, what they may see, and the stores (catalog, versions, check-out ledger,
index, audit log). What each command does is a function in a module named for it:
filing, checking, finding, syncing, custody, handover, intake, oversight, views."""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from functools import cached_property
from pathlib import Path

from archive_tool import schema, templates
from archive_tool.access import User, identify, os_login
from archive_tool.audit import AuditLog
from archive_tool.catalog import Catalog
from archive_tool.config import (
    ARCHIVE_FILE,
    CLIENTS_DIR,
    STAFF_FILE,
    load_settings,
)
from archive_tool.errors import AccessDenied, Conflict, NotFound, UsageError
from archive_tool.files import write_atomic
from archive_tool.i18n import _
from archive_tool.index.query import Visibility
from archive_tool.index.store import SearchIndex
from archive_tool.ledger import Ledger
from archive_tool.lockfile import DaemonLock
from archive_tool.outside import CallerFiles, LocalFiles
from archive_tool.reconcile import sha256_in
from archive_tool.recordcache import RecordCache
from archive_tool.records import (
    CLIENT_ID,
    CORRESPONDENCE,
    Client,
    Grants,
    Roster,
    client_folders,
    load_client,
    load_clients,
)
from archive_tool.resources import data_path
from archive_tool.rules import Context, Identity
from archive_tool.statedir import CATALOG, INDEX, STATE_DIR, VERSIONS
from archive_tool.versions import VersionStore


@dataclass
class Shared:
    """What the archive service keeps between requests: the warm index, the client
    records while unchanged, one writer at a time, and who wrote which file through
    a command (a direct edit in the shared folder has no known author)."""

    index: SearchIndex
    records: RecordCache = dataclass_field(default_factory=RecordCache)
    writer: threading.Lock = dataclass_field(default_factory=threading.Lock)
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
        self.shared = shared or Shared(SearchIndex(self.state_dir / INDEX))
        self.refresh()

    def refresh(self) -> None:
        """Read archive.yaml, staff.yaml and the records again (a long-running
        process calls this before each pass; in the service, the two files are
        parsed again only when they changed)."""
        if self.in_service:
            self.settings, self.roster = self.shared.records.settings(self.root)
        else:
            self.settings = load_settings(self.root)
            self.roster = Roster.load(self.root)
        login = self._login or os_login()
        system = self._system
        if system is None:
            system = login == self.settings.service_user or (
                os.geteuid() == 0 and self._login is None)
        self.user: User = identify(self.roster, self.settings.demo, login, system)
        self.today = self._today or date.today()
        self.forget_clients()

    # --- creation ---------------------------------------------------------

    @classmethod
    def create(cls, path: Path, name: str | None = None, sample: bool = False,
               login: str | None = None) -> Archive:
        path = Path(path).resolve()
        if (path / ARCHIVE_FILE).exists():
            raise Conflict(_("{path} already exists; this is an archive already").format(
                path=path / ARCHIVE_FILE))
        if path.exists() and any(path.iterdir()):
            raise Conflict(_("{path} is not empty; choose a new or empty folder").format(
                path=path))
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
            with contextlib.suppress(OSError):  # an outsider may not even reach the log
                self.record(action, outcome="denied", detail=str(e))
            raise

    def require_admin(self, action: str) -> None:
        self.require(action)
        if not self.user.is_admin:
            self.record(action, outcome="denied", detail="not an information admin")
            raise AccessDenied(_("{action} is for the information department's"
                                 " administrators").format(action=action))

    # --- reading ----------------------------------------------------------

    @cached_property
    def all_clients(self) -> list[Client]:
        return self.with_grants(load_clients(self.root))

    def with_grants(self, clients: list[Client]) -> list[Client]:
        """The clients, each knowing the grants an information admin last confirmed:
        a direct edit of `access` or contacts widens nothing until confirmed."""
        if clients and (self.state_dir / CATALOG).is_file():
            confirmed = self.catalog.confirmed_grants()
            for c in clients:
                if c.id in confirmed:
                    c.confirmed = Grants.from_json(confirmed[c.id])
        return clients

    def forget_clients(self) -> None:
        """Read the records again next time (after a pass, or a command that wrote)."""
        for name in ("all_clients", "context"):
            self.__dict__.pop(name, None)

    def visible_clients(self) -> list[Client]:
        self.require("list")
        return [c for c in self.all_clients if self.user.can_see(c)]

    def client(self, client_id: str, action: str = "open") -> Client:
        """The client the caller asked for, if they may see it. To anyone but an admin,
        a client that does not exist and one they may not see look the same."""
        self.require(action)
        if not CLIENT_ID.match(client_id or ""):
            raise UsageError(_("'{id}' is not a client id (CL- and at least four digits)")
                             .format(id=client_id))
        if "all_clients" in self.__dict__:
            found = [c for c in self.all_clients if c.id == client_id]
        else:
            found = self.with_grants([load_client(self.root, cid, folder) for cid, folder
                                      in client_folders(self.root) if cid == client_id])
        if not found and self.user.is_admin:
            raise NotFound(_("client {id} is not in this archive; see 'archive-tool client"
                             " list'").format(id=client_id))
        if not found or not self.user.can_see(found[0]):
            self.record(action, client=client_id, outcome="denied")
            raise AccessDenied(_("you may not open client {id}; ask the information"
                                 " department if you need it").format(id=client_id))
        return found[0]

    @cached_property
    def context(self) -> Context:
        return Context(map(Identity.of, self.all_clients), self.roster, self.settings.policy,
                       self.today)

    def hidden_paths(self, client: Client) -> set[str]:
        """The files of the client's entries the caller may not see (confidential
        entries of others and their attachments), relative to the root."""
        return {p for e in client.entries if not self.user.can_see_entry(client, e)
                for p in (e.relpath, *(f"{client.relpath}/{CORRESPONDENCE}/{a}"
                                       for a in e.attachments))}

    def visibility(self) -> Visibility:
        """What search may show the caller: the ids of the clients they may see."""
        user = self.user
        self.require("search")
        if user.is_admin:
            return Visibility(all_confidential=True)

        def visible(records: list[Client]) -> frozenset[str]:
            return frozenset(c.id for c in self.with_grants(records) if user.can_see(c))

        if not self.in_service:
            return Visibility(visible(self.unchecked_records()), staff_id=user.staff_id)
        cache = self.shared.records
        records = cache.state(self.root)
        ids = cache.visible((records, self.catalog.grants_state()), repr(user),
                            lambda: visible(cache.clients(self.root, records)))
        return Visibility(ids, staff_id=user.staff_id)

    def unchecked_records(self) -> list[Client]:
        """Every client's record as visibility reads it, schemas not applied (the
        service keeps them between requests)."""
        if self.in_service:
            return self.shared.records.clients(self.root)
        return load_clients(self.root, check=False)

    def last_contact(self, client: Client) -> date | None:
        return max((e.date for e in client.entries if e.date and e.date <= self.today),
                   default=None)

    # --- the stores -------------------------------------------------------------

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog(self.state_dir / CATALOG)

    @cached_property
    def versions(self) -> VersionStore:
        return VersionStore(self.state_dir / VERSIONS, self.catalog.db, self.root,
                            self.settings.policy.version_max_bytes)

    @cached_property
    def ledger(self) -> Ledger:
        return Ledger(self.catalog.db)

    @property
    def search_index(self) -> SearchIndex:
        return self.shared.index

    def daemon_pid(self) -> int | None:
        return DaemonLock(self.state_dir).holder()

    def wrote(self, path: Path) -> None:
        """Remember that the caller wrote this file through a command, so the pass
        that finds it names them (a direct edit in the folder names nobody)."""
        rel = path.relative_to(self.root).as_posix()
        try:
            sha = sha256_in(self.root, rel)
        except OSError:
            return
        self.shared.authors[(rel, sha)] = self.user.login
        if len(self.shared.authors) > 10_000:
            self.shared.authors.pop(next(iter(self.shared.authors)))
