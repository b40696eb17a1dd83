"""Clients, correspondence entries and staff as read from their YAML files.

Loading never raises over a bad file: each model carries the problems found
while reading it, so one broken record never hides the rest of the archive.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from fnmatch import fnmatch, translate
from pathlib import Path
from typing import Any

from archive_tool import schema
from archive_tool.config import CLIENTS_DIR, STAFF_FILE, Policy
from archive_tool.problems import Problem
from archive_tool.yamlload import Loaded, YamlProblem, load_file

CLIENT_ID = re.compile(r"^CL-[0-9]{4,}$")
CLIENT_FOLDER = re.compile(r"^(CL-[0-9]{4,})(?:-[A-Za-z0-9][A-Za-z0-9._-]*)?$")
ENTRY_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})")
CLIENT_FILE = "client.yaml"
CORRESPONDENCE = "correspondence"
REPORTS = "reports"
# Editors' swap, lock, owner and temp files: never part of the archive.
IGNORED = ("*.swp", "*.swo", "*.swx", "*~", ".~lock.*#", "~$*", "~WR*.tmp", "lu*.tmp",
           "4913", ".#*", "*.tmp", ".DS_Store", "Thumbs.db", "desktop.ini", "sed??????")


_IGNORED = re.compile("|".join(translate(p) for p in IGNORED))


def is_ignored(name: str, extra: tuple[str, ...] = ()) -> bool:
    return name.startswith(".") or bool(_IGNORED.match(name)) or any(
        fnmatch(name, p) for p in extra)


def parse_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def read_yaml(path: Path, kind: str, relpath: str,
              check: bool = True) -> tuple[Loaded | None, list[Problem]]:
    """Load a YAML file and (unless check is False) check it against its schema."""
    try:
        loaded = load_file(path)
    except YamlProblem as e:
        return None, [Problem(relpath, e.line, e.column, e.rule, "error", e.message)]
    return loaded, schema.check(kind, loaded, relpath) if check else []


@dataclass
class StaffMember:
    id: str
    name: str
    login: str
    department: str
    role: str
    status: str
    left_on: str | None = None
    phone: str | None = None
    email: str | None = None

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def is_info_admin(self) -> bool:
        return self.active and self.role == "admin" and self.department == "information"


@dataclass
class Roster:
    members: dict[str, StaffMember] = field(default_factory=dict)
    loaded: Loaded | None = None
    problems: list[Problem] = field(default_factory=list)

    def get(self, staff_id: str) -> StaffMember | None:
        return self.members.get(staff_id)

    def by_login(self, login: str) -> StaffMember | None:
        return next((m for m in self.members.values() if m.login == login), None)

    @classmethod
    def load(cls, root: Path, check: bool = False) -> Roster:
        """The roster; with check, staff.yaml's schema problems too (for validate)."""
        loaded, problems = read_yaml(root / STAFF_FILE, "staff", STAFF_FILE, check)
        roster = cls(loaded=loaded, problems=problems)
        if loaded is None:
            return roster
        fields = StaffMember.__dataclass_fields__
        for i, item in enumerate(loaded.data.get("staff") or []):
            if not isinstance(item, dict) or not all(
                    isinstance(item.get(k), str) for k in ("id", "login")):
                continue
            line, column = loaded.mark(("staff", i))
            for other, what in ((roster.get(item["id"]), "id"),
                                (roster.by_login(item["login"]), "login")):
                if other is not None:
                    roster.problems.append(Problem(
                        STAFF_FILE, line, column, "staff-duplicate", "error",
                        f"staff {what} '{item[what]}' is used twice; give each person their own"))
            if item["id"] in roster.members:
                continue
            values = {k: str(v) for k, v in item.items() if k in fields and v is not None}
            values = {k: values.get(k, "") for k in ("name", "department", "role", "status")
                      } | values
            roster.members[item["id"]] = StaffMember(**values)
        return roster


@dataclass
class Entry:
    path: Path
    relpath: str
    loaded: Loaded | None
    problems: list[Problem]

    @property
    def data(self) -> dict:
        return self.loaded.data if self.loaded else {}

    @property
    def date(self) -> date | None:
        return parse_date(self.data.get("date"))

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", ""))

    @property
    def staff(self) -> list[str]:
        return [str(s) for s in self.data.get("staff") or []]

    @property
    def attachments(self) -> list[str]:
        return [str(a) for a in self.data.get("attachments") or []]

    @property
    def confidential(self) -> bool:
        return self.data.get("confidential") is True


@dataclass
class Client:
    folder: Path
    folder_id: str
    relpath: str
    loaded: Loaded | None
    problems: list[Problem]
    checked: bool = True  # records and entries were checked against their schemas
    _entries: list[Entry] | None = None

    @property
    def id(self) -> str:
        return self.folder_id

    @property
    def data(self) -> dict:
        return self.loaded.data if self.loaded else {}

    @property
    def record_path(self) -> str:
        return f"{self.relpath}/{CLIENT_FILE}"

    @property
    def name(self) -> str:
        return str(self.data.get("name", ""))

    @property
    def contacts(self) -> list[dict]:
        return [c for c in self.data.get("contacts") or [] if isinstance(c, dict)]

    @property
    def since(self) -> date | None:
        return parse_date(self.data.get("since"))

    def mark(self, *path) -> tuple[int, int]:
        return self.loaded.mark(path) if self.loaded else (1, 1)

    @property
    def entries(self) -> list[Entry]:
        if self._entries is None:
            self._entries = list(self._load_entries())
        return self._entries

    def forget_entries(self) -> None:
        self._entries = None

    def _load_entries(self) -> Iterator[Entry]:
        folder = self.folder / CORRESPONDENCE
        if not folder.is_dir():
            return
        for path in sorted(folder.iterdir()):
            if path.suffix in (".yaml", ".yml") and not is_ignored(path.name) \
                    and path.is_file():
                rel = f"{self.relpath}/{CORRESPONDENCE}/{path.name}"
                loaded, problems = read_yaml(path, "entry", rel, self.checked)
                yield Entry(path, rel, loaded, problems)

    def correspondence_files(self) -> list[str]:
        folder = self.folder / CORRESPONDENCE
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir()
                      if p.is_file() and not is_ignored(p.name))

    def reports(self, policy: Policy) -> dict[int, dict[str, list[str]]]:
        """Report files per year: {2025: {"annual": [...], "financial": [...], "other": [...]}}."""
        years: dict[int, dict[str, list[str]]] = {}
        folder = self.folder / REPORTS
        if not folder.is_dir():
            return years
        for year_dir in sorted(folder.iterdir()):
            if not (year_dir.is_dir() and re.fullmatch(r"\d{4}", year_dir.name)):
                continue
            kinds: dict[str, list[str]] = {"annual": [], "financial": [], "other": []}
            for f in sorted(year_dir.iterdir()):
                if f.is_file() and not is_ignored(f.name):
                    kinds[report_kind(f.name, policy)].append(f.name)
            years[int(year_dir.name)] = kinds
        return years


def report_kind(name: str, policy: Policy) -> str:
    low = name.lower()
    if any(fnmatch(low, p) for p in policy.annual_report_patterns):
        return "annual"
    if any(fnmatch(low, p) for p in policy.financial_statement_patterns):
        return "financial"
    return "other"


def client_folders(root: Path) -> Iterator[tuple[str, Path]]:
    """(client id, folder) for every folder under clients/ named like a client."""
    base = root / CLIENTS_DIR
    try:
        with os.scandir(base) as entries:
            found = sorted((e.name, m.group(1)) for e in entries
                           if e.is_dir(follow_symlinks=False)
                           and (m := CLIENT_FOLDER.match(e.name)))
    except OSError:
        return
    for name, client_id in found:
        yield client_id, base / name


def load_client(root: Path, client_id: str, folder: Path, check: bool = True) -> Client:
    """The client of a folder; check=False skips the schemas (for indexing)."""
    rel = folder.relative_to(root).as_posix()
    if not (folder / CLIENT_FILE).is_file():
        return Client(folder, client_id, rel, None, [Problem(
            f"{rel}/{CLIENT_FILE}", 1, 1, "record-missing", "error",
            "this client folder has no client.yaml; restore it or create the record")])
    loaded, problems = read_yaml(folder / CLIENT_FILE, "client", f"{rel}/{CLIENT_FILE}", check)
    return Client(folder, client_id, rel, loaded, problems, check)
