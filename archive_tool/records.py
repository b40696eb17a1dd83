"""Clients, correspondence entries and staff as read from their YAML files.

Loading never raises over a bad file: each model carries the problems found
while reading it, so one broken record never hides the rest of the archive.
Files are read relative to the archive root without following symbolic links:
a link where a record should be is a problem at that path, never read.
"""

from __future__ import annotations

import os
import re
import stat
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from fnmatch import fnmatch, translate
from functools import cached_property
from pathlib import Path
from typing import Any, BinaryIO

from archive_tool import schema
from archive_tool.config import (
    ARCHIVE_FILE,
    CLIENTS_DIR,
    INFORMATION_DEPARTMENT,
    STAFF_FILE,
    Policy,
)
from archive_tool.files import UnsafePath, file_in, file_nofollow, folder_fd, list_in, stat_in
from archive_tool.i18n import N_, _
from archive_tool.problems import Problem
from archive_tool.spain import fold
from archive_tool.yamlload import Loaded, YamlProblem, load_stream

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


def listed(value: Any) -> list:
    """A field that should hold a list, as a list: a record that holds something else
    there is a validation problem, never a crash."""
    return value if isinstance(value, list) else []


def parse_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


SYMLINK_MESSAGE = N_("symbolic links are never followed (it could lead out of the archive);"
                     " put the file itself here")


def unsafe_problem(e: UnsafePath) -> Problem:
    """The problem of a link, or of a pipe or device, where a file should be."""
    if e.link:
        return Problem(e.relpath, 1, 1, "symlink", "error", _(SYMLINK_MESSAGE))
    return Problem(e.relpath, 1, 1, "not-regular", "error",
                   _("this is not a regular file (a pipe or device?); put the file itself"
                     " here"))


def _read(opener: Callable[[], BinaryIO], kind: str, relpath: str,
          check: bool) -> tuple[Loaded | None, list[Problem]]:
    try:
        with opener() as f:
            loaded = load_stream(f)
    except UnsafePath as e:
        return None, [unsafe_problem(e)]
    except OSError as e:
        return None, [Problem(relpath, 1, 1, "unreadable", "error",
                              _("cannot read the file: {reason}").format(
                                  reason=e.strerror or e))]
    except YamlProblem as e:
        return None, [Problem(relpath, e.line, e.column, e.rule, "error", e.message)]
    return loaded, schema.check(kind, loaded, relpath) if check else []


def read_record(root: Path, relpath: str, kind: str,
                check: bool = True) -> tuple[Loaded | None, list[Problem]]:
    """Load the YAML file at relpath under root, never through a link, and (unless
    check is False) check it against its schema."""
    return _read(lambda: file_in(root, relpath), kind, relpath, check)


def read_yaml(path: Path, kind: str, relpath: str,
              check: bool = True) -> tuple[Loaded | None, list[Problem]]:
    """Load a YAML file whose last component is not a link and (unless check is False)
    check it against its schema. Files under the archive root: use read_record."""
    return _read(lambda: file_nofollow(path), kind, relpath, check)


def is_information_department(department: str,
                              names: Iterable[str] = INFORMATION_DEPARTMENT) -> bool:
    """Whether a department is the information department (policy §3.1), by any of
    the names archive.yaml gives it, without regard to accents or case."""
    return fold(department) in {fold(n) for n in names}


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
    information_department: tuple[str, ...] = field(default=INFORMATION_DEPARTMENT,
                                                    repr=False, compare=False)

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def is_info_admin(self) -> bool:
        return self.active and self.role == "admin" and is_information_department(
            self.department, self.information_department)


def information_department_names(root: Path) -> tuple[str, ...]:
    """The names archive.yaml gives the information department (the default when it
    says nothing or cannot be read: validate reports that)."""
    loaded, _problems = read_record(root, ARCHIVE_FILE, "archive", check=False)
    policy = (loaded.data.get("policy") if loaded and isinstance(loaded.data, dict)
              else None) or {}
    names = policy.get("information_department") if isinstance(policy, dict) else None
    if isinstance(names, str):
        return (names,)
    if isinstance(names, list) and names and all(isinstance(n, str) for n in names):
        return tuple(names)
    return INFORMATION_DEPARTMENT


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
        loaded, problems = read_record(root, STAFF_FILE, "staff", check)
        roster = cls(loaded=loaded, problems=problems)
        if loaded is None:
            return roster
        department = information_department_names(root)
        fields = StaffMember.__dataclass_fields__
        items = loaded.data.get("staff")
        for i, item in enumerate(items if isinstance(items, list) else []):
            if not isinstance(item, dict) or not all(
                    isinstance(item.get(k), str) for k in ("id", "login")):
                continue
            line, column = loaded.mark(("staff", i))
            for other, what in ((roster.get(item["id"]), "id"),
                                (roster.by_login(item["login"]), "login")):
                if other is not None:
                    message = (_("staff id '{value}' is used twice; give each person their"
                                 " own") if what == "id" else
                               _("staff login '{value}' is used twice; give each person"
                                 " their own"))
                    roster.problems.append(Problem(
                        STAFF_FILE, line, column, "staff-duplicate", "error",
                        message.format(value=item[what])))
            if item["id"] in roster.members:
                continue
            values = {k: str(v) for k, v in item.items() if k in fields and v is not None
                      and k != "information_department"}
            values = {k: values.get(k, "") for k in ("name", "department", "role", "status")
                      } | values
            roster.members[item["id"]] = StaffMember(**values,
                                                     information_department=department)
        if check and not any(m.is_info_admin for m in roster.members.values()):
            names = ", ".join(department)
            roster.problems.append(Problem(
                STAFF_FILE, 1, 1, "no-information-admin", "warning",
                _("no active administrator of the information department (department"
                  " {names}, role admin): the policy gives it every client file (§3.1);"
                  " name one in staff.yaml").format(names=names)))
        return roster


@dataclass
class Entry:
    path: Path
    relpath: str
    loaded: Loaded | None
    problems: list[Problem]

    @property
    def data(self) -> dict:
        return self.loaded.data if self.loaded and isinstance(self.loaded.data, dict) else {}

    @property
    def date(self) -> date | None:
        return parse_date(self.data.get("date"))

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", ""))

    @property
    def staff(self) -> list[str]:
        return [str(s) for s in listed(self.data.get("staff"))]

    @property
    def attachments(self) -> list[str]:
        return [str(a) for a in listed(self.data.get("attachments"))]

    @property
    def confidential(self) -> bool:
        return self.data.get("confidential") is True


@dataclass(frozen=True)
class Grants:
    """Who a client record lets see the client (design §5): its staff contacts, and
    the staff and departments named in its `access`."""

    contacts: frozenset[str] = frozenset()
    staff: frozenset[str] = frozenset()
    departments: frozenset[str] = frozenset()

    KINDS = ("contacts", "staff", "departments")

    @classmethod
    def of(cls, data: Mapping | None) -> Grants:
        data = data if isinstance(data, Mapping) else {}
        raw_access, raw_contacts = data.get("access"), data.get("contacts")
        access: Mapping = raw_access if isinstance(raw_access, Mapping) else {}
        contacts: list = raw_contacts if isinstance(raw_contacts, list) else []

        def names(values) -> frozenset[str]:
            return frozenset(str(v) for v in values or () if isinstance(v, str | int))

        return cls(frozenset(str(c.get("staff")) for c in contacts
                             if isinstance(c, Mapping) and c.get("staff") is not None),
                   names(access.get("staff") if isinstance(access.get("staff"), list)
                         else ()),
                   names(access.get("departments")
                         if isinstance(access.get("departments"), list) else ()))

    @classmethod
    def from_json(cls, data: Mapping) -> Grants:
        return cls(*(frozenset(data.get(kind) or ()) for kind in cls.KINDS))

    def to_json(self) -> dict[str, list[str]]:
        return {kind: sorted(getattr(self, kind)) for kind in self.KINDS}

    def allows(self, member: StaffMember) -> bool:
        return (member.id in self.contacts or member.id in self.staff
                or member.department in self.departments)

    def __and__(self, other: Grants) -> Grants:
        return Grants(*(getattr(self, k) & getattr(other, k) for k in self.KINDS))

    def __or__(self, other: Grants) -> Grants:
        return Grants(*(getattr(self, k) | getattr(other, k) for k in self.KINDS))

    def __sub__(self, other: Grants) -> Grants:
        return Grants(*(getattr(self, k) - getattr(other, k) for k in self.KINDS))

    def __bool__(self) -> bool:
        return any(getattr(self, k) for k in self.KINDS)


@dataclass
class Client:
    folder: Path
    folder_id: str
    relpath: str
    loaded: Loaded | None
    problems: list[Problem]
    checked: bool = True  # records and entries were checked against their schemas
    # The grants an information admin last confirmed (None: none known yet, the
    # record's own count). A direct edit of the record widens nothing until confirmed.
    confirmed: Grants | None = field(default=None, repr=False, compare=False)
    _entries: list[Entry] | None = field(default=None, repr=False, compare=False)
    _rivals: list[Client] | None = field(default=None, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.folder_id

    @property
    def root(self) -> Path:
        return self.folder.parents[self.relpath.count("/")]

    @property
    def rivals(self) -> list[Client]:
        """The other folders claiming this client's id (a validation error), their
        records unchecked. A non-admin sees the id only if every claim allows them."""
        if self._rivals is None:
            base = self.root / CLIENTS_DIR
            self._rivals = [load_client(self.root, self.id, base / name, check=False)
                            for name in _folders_claiming(self.root, self.id)
                            if name != self.folder.name]
        return self._rivals

    @property
    def data(self) -> dict:
        return self.loaded.data if self.loaded and isinstance(self.loaded.data, dict) else {}

    @property
    def record_path(self) -> str:
        return f"{self.relpath}/{CLIENT_FILE}"

    @property
    def name(self) -> str:
        return str(self.data.get("name", ""))

    @property
    def contacts(self) -> list[dict]:
        return [c for c in listed(self.data.get("contacts")) if isinstance(c, dict)]

    @property
    def since(self) -> date | None:
        return parse_date(self.data.get("since"))

    @cached_property
    def grants(self) -> Grants:
        """Who the record as it was read lets see the client (asked for every client
        on every search of a member: read once)."""
        return Grants.of(self.data)

    @property
    def effective_grants(self) -> Grants:
        """Who may see the client: the record's grants, less any an admin has not
        confirmed. Narrowing takes effect at once, widening once confirmed."""
        return self.grants if self.confirmed is None else self.grants & self.confirmed

    def mark(self, *path) -> tuple[int, int]:
        return self.loaded.mark(path) if self.loaded else (1, 1)

    @property
    def entries(self) -> list[Entry]:
        if self._entries is None:
            self._entries = list(self._load_entries())
        return self._entries

    def forget_entries(self) -> None:
        self._entries = None

    def listing(self, sub: str) -> dict[str, os.stat_result]:
        """Names in a subfolder of the client's folder with their lstat; empty when it
        is missing, unreadable or a link (the symlink rule reports that)."""
        try:
            return list_in(self.root, f"{self.relpath}/{sub}")
        except OSError:
            return {}

    def _load_entries(self) -> Iterator[Entry]:
        rel = f"{self.relpath}/{CORRESPONDENCE}"
        for name, st in sorted(self.listing(CORRESPONDENCE).items()):
            if Path(name).suffix in (".yaml", ".yml") and not is_ignored(name) \
                    and stat.S_ISREG(st.st_mode):
                loaded, problems = read_record(self.root, f"{rel}/{name}", "entry",
                                               self.checked)
                yield Entry(self.folder / CORRESPONDENCE / name, f"{rel}/{name}", loaded,
                            problems)

    def correspondence_files(self) -> list[str]:
        return sorted(name for name, st in self.listing(CORRESPONDENCE).items()
                      if stat.S_ISREG(st.st_mode) and not is_ignored(name))

    def reports(self, policy: Policy) -> dict[int, dict[str, list[str]]]:
        """Report files per year: {2025: {"annual": [...], "financial": [...], "other": [...]}}."""
        years: dict[int, dict[str, list[str]]] = {}
        for year, st in sorted(self.listing(REPORTS).items()):
            if not (stat.S_ISDIR(st.st_mode) and re.fullmatch(r"\d{4}", year)):
                continue
            kinds: dict[str, list[str]] = {"annual": [], "financial": [], "other": []}
            for name, f in sorted(self.listing(f"{REPORTS}/{year}").items()):
                if stat.S_ISREG(f.st_mode) and not is_ignored(name):
                    kinds[report_kind(name, policy)].append(name)
            years[int(year)] = kinds
        return years

    def report_readable(self, year: int, name: str) -> bool:
        """Whether a report file holds something: not empty, readable without following
        a link, and a PDF that starts like one."""
        try:
            with file_in(self.root, f"{self.relpath}/{REPORTS}/{year}/{name}") as f:
                head = f.read(5)
        except OSError:
            return False
        return bool(head) and (not name.lower().endswith(".pdf") or head.startswith(b"%PDF"))


def report_kind(name: str, policy: Policy) -> str:
    """'annual', 'financial' or 'other', by the policy's name patterns; case, accents,
    spaces and underscores do not matter ('Cuentas Anuales 2024.pdf')."""
    low = re.sub(r"[\s_]+", "-", fold(name))
    if any(fnmatch(low, p) for p in policy.annual_report_patterns):
        return "annual"
    if any(fnmatch(low, p) for p in policy.financial_statement_patterns):
        return "financial"
    return "other"


def client_folders(root: Path) -> Iterator[tuple[str, Path]]:
    """(client id, folder) for every folder under clients/ named like a client; links
    are not folders. Several folders may claim one id: see load_clients."""
    base = root / CLIENTS_DIR
    for client_id, name in client_folder_names(root):
        yield client_id, base / name


def client_folder_names(root: Path) -> list[tuple[str, str]]:
    """(client id, folder name) for every client folder, in order of name."""
    try:
        fd = folder_fd(root, CLIENTS_DIR)
    except OSError:
        return []
    try:
        with os.scandir(fd) as entries:
            found = sorted((e.name, m.group(1)) for e in entries
                           if e.is_dir(follow_symlinks=False)
                           and (m := CLIENT_FOLDER.match(e.name)))
    except OSError:
        return []
    finally:
        os.close(fd)
    return [(client_id, name) for name, client_id in found]


def _folders_claiming(root: Path, client_id: str) -> list[str]:
    """Names of the folders under clients/ that claim client_id."""
    try:
        fd = folder_fd(root, CLIENTS_DIR)
    except OSError:
        return []
    try:
        with os.scandir(fd) as entries:
            return sorted(e.name for e in entries if e.name.startswith(client_id)
                          and (m := CLIENT_FOLDER.match(e.name)) and m.group(1) == client_id
                          and e.is_dir(follow_symlinks=False))
    except OSError:
        return []
    finally:
        os.close(fd)


def load_client(root: Path, client_id: str, folder: Path, check: bool = True) -> Client:
    """The client of a folder; check=False skips the schemas (for indexing)."""
    rel = folder.relative_to(root).as_posix()
    record = f"{rel}/{CLIENT_FILE}"
    try:
        stat_in(root, record)
    except FileNotFoundError:
        return Client(folder, client_id, rel, None, [Problem(
            record, 1, 1, "record-missing", "error",
            _("this client folder has no client.yaml; restore it or create the record"))])
    except UnsafePath as e:
        return Client(folder, client_id, rel, None, [unsafe_problem(e)])
    except OSError:
        pass  # reading it says what is wrong
    loaded, problems = read_record(root, record, "client", check)
    return Client(folder, client_id, rel, loaded, problems, check)


def load_clients(root: Path, check: bool = True) -> list[Client]:
    """Every client folder's client, each knowing the other folders that claim its id
    (read once, instead of once per client as Client.rivals does on its own)."""
    clients = [load_client(root, cid, folder, check) for cid, folder in client_folders(root)]
    by_id: dict[str, list[Client]] = defaultdict(list)
    for c in clients:
        by_id[c.id].append(c)
    for c in clients:
        c._rivals = [o for o in by_id[c.id] if o is not c]
    return clients
