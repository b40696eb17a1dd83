"""OS permissions of the whole archive (design §7), from the same rules as the tool's,
so that a person with a shell on the file server is held to them too.

    plan_archive(root, clients, roster, service_user, only=None) -> ArchivePlan
        Every path's complete ACL, computed before anything is written:
        - `.archive/` and everything in it: the service account only (mode 0700);
        - the root folder, archive.yaml, staff.yaml, templates/: read (folders: list
          and enter) for active staff, write for information admins;
        - clients/: active staff list and enter it; admins create and remove;
        - each client folder, recursively: read/write for the active staff allowed to
          see the client (access.member_sees; by every folder claiming its id), with
          default ACLs so new files inherit; a confidential entry and its
          attachments: admins and the entry's staff only.
        Group and other get nothing; the service account owns every path. Staff
        logins without an OS account here are skipped and listed. `only`: None plans
        everything; a set of client folder names plans just those folders.
        service_user None (no archive service): owners stay as they are and
        `.archive/` is left alone, since staff then use it in-process.
    apply(plan) -> list[str]
        Writes each path's owner, ACL and default ACL where they differ from the
        plan, each ACL whole in one call; returns one line per part changed.
    drift(plan) -> list[str]
        What differs on disk: effective rights (after the mask), owners, missing or
        extra default ACLs; symbolic links, hard-linked and special files found.

Paths are opened from the root down with O_NOFOLLOW and their ACLs read and written
as the kernel's `system.posix_acl_*` attributes through /proc/self/fd, so a symbolic
link inside the archive is never followed, not even one swapped in meanwhile
(setfacl follows links: `--restore` even with -P, and any link in the middle of a
path). Symbolic links, special files and files with several names (hard links, which
may be outside the archive) are left alone and reported by drift.
"""

from __future__ import annotations

import errno
import grp
import os
import pwd
import stat
import struct
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, reduce
from operator import or_
from pathlib import Path

from archive_tool.access import member_sees
from archive_tool.config import ARCHIVE_FILE, CLIENTS_DIR, STAFF_FILE, STATE_DIR
from archive_tool.errors import AccessDenied, ArchiveError, NotFound
from archive_tool.i18n import N_, _, ngettext
from archive_tool.records import Client, Roster, StaffMember

TEMPLATES_DIR = "templates"
R, W, X = 4, 2, 1
RW, RX, RWX = R | W, R | X, R | W | X

_USER_OBJ, _USER, _GROUP_OBJ, _GROUP, _MASK, _OTHER = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
_NO_ID = 0xFFFFFFFF
_ACCESS, _DEFAULT = "system.posix_acl_access", "system.posix_acl_default"
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC
_GONE = (errno.ENOENT, errno.ENOTDIR, errno.ELOOP)  # removed, or replaced by a link

Entries = frozenset[tuple[int, int, int]]  # (tag, uid/gid, rights) as the kernel keeps them


@dataclass(frozen=True)
class Acl:
    """A complete ACL: the owner's rights and named users' rights by uid; the owning
    group and everyone else get nothing; the mask is what the named users need."""

    owner: int
    users: frozenset[tuple[int, int]] = frozenset()

    @cached_property
    def entries(self) -> Entries:
        fixed = {(_USER_OBJ, _NO_ID, self.owner), (_GROUP_OBJ, _NO_ID, 0), (_OTHER, _NO_ID, 0)}
        named = {(_USER, uid, rights) for uid, rights in self.users}
        if named:
            fixed.add((_MASK, _NO_ID, reduce(or_, (rights for _, rights in self.users))))
        return frozenset(fixed | named)


@dataclass
class Part:
    """A path (relative to the root) and, with recurse, everything under it: each
    folder gets `folder` and `default` as its default ACL, each file `file` or its
    entry in `files` (paths relative to the root)."""

    top: str
    folder: Acl
    file: Acl
    default: Acl | None = None
    recurse: bool = True
    files: dict[str, Acl] = field(default_factory=dict)

    def wanted(self, rel: str, st: os.stat_result) -> tuple[Entries, Entries | None]:
        if stat.S_ISDIR(st.st_mode):
            return self.folder.entries, self.default.entries if self.default else None
        return self.files.get(rel, self.file).entries, None


@dataclass
class FolderPlan:
    """Who may use one client folder, and who its confidential files."""

    client_id: str
    folder: Path
    logins: list[str]
    skipped: list[str] = field(default_factory=list)  # staff logins without an OS account here
    confidential: dict[str, list[str]] = field(default_factory=dict)  # path -> logins


@dataclass
class ArchivePlan:
    root: Path
    service_user: str | None
    owner: int | None  # the service account's uid: owner of every path; None: leave owners
    parts: list[Part]
    folders: list[FolderPlan]
    readers: list[str]  # of the root files: active staff
    writers: list[str]  # information admins
    skipped: list[str]  # staff logins without an OS account here


def plan_archive(root: Path, clients: list[Client], roster: Roster, service_user: str | None,
                 only: set[str] | None = None) -> ArchivePlan:
    """The permissions the archive should have (see the module's description)."""
    uids: dict[str, int | None] = {}

    def uid(login: str) -> int | None:
        if login not in uids:
            try:
                uids[login] = pwd.getpwnam(login).pw_uid
            except KeyError:
                uids[login] = None
        return uids[login]

    owner = None
    if service_user is not None:
        owner = uid(service_user)
        if owner is None:
            raise NotFound(_("the archive service's account '{user}' does not exist on this"
                             " machine; run 'archive-tool setup --service-user {user}' as"
                             " root").format(user=service_user))

    def accounts(members: Iterable[StaffMember]) -> tuple[dict[str, int], list[str]]:
        found, missing = {}, set()
        for m in members:
            u = uid(m.login)
            if u is None:
                missing.add(m.login)
            elif u != owner:
                found[m.login] = u
        return found, sorted(missing)

    def acl(own: int, *grants: tuple[dict[str, int], int]) -> Acl:
        rights: dict[int, int] = {}
        for users, given in grants:
            for u in users.values():
                rights[u] = rights.get(u, 0) | given
        return Acl(own, frozenset(rights.items()))

    active = [m for m in roster.members.values() if m.active]
    staff, no_account = accounts(active)
    admins, _missing = accounts(m for m in active if m.is_info_admin)
    skipped = set(no_account) if only is None else set()
    parts: list[Part] = []
    if only is None:
        listing = acl(RWX, (staff, RX), (admins, RWX))
        reading = acl(RW, (staff, R), (admins, RW))
        parts += [Part("", listing, reading, default=listing, recurse=False),
                  Part(ARCHIVE_FILE, listing, reading), Part(STAFF_FILE, listing, reading),
                  Part(TEMPLATES_DIR, listing, reading, default=listing),
                  Part(CLIENTS_DIR, listing, reading, default=acl(RWX, (admins, RWX)),
                       recurse=False)]
        if owner is not None:
            parts.append(Part(STATE_DIR, Acl(RWX), Acl(RW)))
    folders = []
    for client in clients:
        if only is not None and client.folder.name not in only:
            continue
        claims = (client, *client.rivals)  # other folders claiming its id: all must allow
        allowed = [m for m in active if all(member_sees(m, c) for c in claims)]
        users, missing = accounts(allowed)
        closed: dict[str, set[str]] = {}
        for entry in client.entries:
            if not entry.confidential:
                continue
            who = {m.login for m in allowed if member_sees(m, client, entry)} & users.keys()
            folder = entry.relpath.rpartition("/")[0]
            for name in (entry.path.name, *entry.attachments):
                if name not in ("", ".", "..") and "/" not in name:
                    rel = f"{folder}/{name}"
                    closed[rel] = closed.get(rel, who) & who
        folder_acl = acl(RWX, (users, RWX))
        parts.append(Part(client.relpath, folder_acl, acl(RW, (users, RW)), default=folder_acl,
                          files={rel: acl(RW, ({k: users[k] for k in who}, RW))
                                 for rel, who in closed.items()}))
        folders.append(FolderPlan(client.id, client.folder, sorted(users), missing,
                                  {rel: sorted(who) for rel, who in sorted(closed.items())}))
        skipped.update(missing)
    return ArchivePlan(Path(root), service_user, owner, parts, folders, sorted(staff),
                       sorted(admins), sorted(skipped))


CHANGED = {"owner": N_("owner"), "ACL": N_("ACL"), "default ACL": N_("default ACL")}


def apply(plan: ArchivePlan) -> list[str]:
    """Make the disk match the plan; one line per part that changed."""
    lines = []
    with _opened(plan.root) as root_fd:
        for part in plan.parts:
            seen, changed, kinds = 0, 0, set()
            for rel, st, fd in _walk(root_fd, part):
                if fd is None:
                    continue
                seen += 1
                done = _fix(plan.owner, part, rel, st, fd)
                changed += bool(done)
                kinds.update(done)
            if changed:
                lines.append(ngettext("{where}: {changed} of {seen} path updated ({what})",
                                      "{where}: {changed} of {seen} paths updated ({what})",
                                      seen).format(where=part.top or ".", changed=changed,
                                                   seen=seen, what=", ".join(
                                                       _(CHANGED[k]) if k in CHANGED else k
                                                       for k in sorted(kinds))))
    return lines


def drift(plan: ArchivePlan) -> list[str]:
    """How the disk differs from the plan, one line per difference."""
    lines = []
    with _opened(plan.root) as root_fd:
        for part in plan.parts:
            for rel, st, fd in _walk(root_fd, part):
                where = rel or "."
                if fd is None:
                    lines.append(f"{where}: {_unusable(st)}")
                    continue
                if plan.owner is not None and st.st_uid != plan.owner:
                    lines.append(_("{where}: owned by {owner}, should be owned by {user}")
                                 .format(where=where, owner=_user(st.st_uid),
                                         user=plan.service_user))
                want, want_default = part.wanted(rel, st)
                have, have_default = _read(rel, fd, st)
                lines += _compare(where, want, have)
                if want_default is not None and have_default is None:
                    lines.append(_("{where}: no default ACL, so new files here would not get"
                                   " these permissions").format(where=where))
                elif want_default is None and have_default is not None:
                    lines.append(_("{where}: has a default ACL it should not have").format(
                        where=where))
                elif want_default is not None and have_default is not None:
                    lines += _compare(_("{where} (default ACL)").format(where=where),
                                      want_default, have_default)
    return lines


# --- reading and writing, never through a symbolic link ---------------------------

@contextmanager
def _opened(root: Path) -> Iterator[int]:
    if not Path("/proc/self/fd").is_dir():
        raise ArchiveError(_("/proc is not mounted; permissions need it to reach files"
                             " without following links"))
    try:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except FileNotFoundError as e:
        raise NotFound(_("{root}: no such archive folder").format(root=root)) from e
    try:
        yield fd
    finally:
        os.close(fd)


def _walk(root_fd: int, part: Part) -> Iterator[tuple[str, os.stat_result, int | None]]:
    """(path relative to the root, its status, a descriptor) for the part's paths,
    folders before their contents; what is not _usable comes with no descriptor and
    is never opened."""
    if not part.top:
        yield "", os.fstat(root_fd), root_fd
        return
    *folders, name = part.top.split("/")
    parent, opened = root_fd, []
    try:
        for folder in folders:
            parent = os.open(folder, _DIR_FLAGS, dir_fd=parent)
            opened.append(parent)
    except OSError as e:
        for fd in opened:
            os.close(fd)
        if e.errno in _GONE:
            return  # not there, or not a folder: the part above reports it
        raise _error(folder, e) from e
    try:
        yield from _tree(parent, name, part.top, part.recurse)
    finally:
        for fd in opened:
            os.close(fd)


def _tree(parent: int, name: str, rel: str,
          recurse: bool) -> Iterator[tuple[str, os.stat_result, int | None]]:
    try:
        st = os.stat(name, dir_fd=parent, follow_symlinks=False)
        if not _usable(st):
            yield rel, st, None
            return
        fd = os.open(name, _DIR_FLAGS if stat.S_ISDIR(st.st_mode) else _FILE_FLAGS,
                     dir_fd=parent)
    except OSError as e:
        if e.errno in _GONE:
            return
        raise _error(rel, e) from e
    try:
        st = os.fstat(fd)
        if not _usable(st):
            yield rel, st, None
            return
        yield rel, st, fd
        if recurse and stat.S_ISDIR(st.st_mode):
            try:
                with os.scandir(fd) as found:
                    children = sorted(entry.name for entry in found)
            except OSError as e:
                raise _error(rel, e) from e
            for child in children:
                yield from _tree(fd, child, f"{rel}/{child}", True)
    finally:
        os.close(fd)


def _usable(st: os.stat_result) -> bool:
    """A folder, or a file with one name: not a link, a special file, nor a file with
    other names (hard links), which may be outside the archive."""
    return stat.S_ISDIR(st.st_mode) or (stat.S_ISREG(st.st_mode) and st.st_nlink == 1)


def _read(rel: str, fd: int, st: os.stat_result) -> tuple[Entries, Entries | None]:
    """The path's access ACL (from its mode when it has none) and default ACL."""
    path = f"/proc/self/fd/{fd}"
    try:
        access = _get(path, _ACCESS)
        default = _get(path, _DEFAULT) if stat.S_ISDIR(st.st_mode) else None
    except OSError as e:
        raise _error(rel, e) from e
    if access is None:
        mode = st.st_mode
        access = frozenset({(_USER_OBJ, _NO_ID, mode >> 6 & 7),
                            (_GROUP_OBJ, _NO_ID, mode >> 3 & 7), (_OTHER, _NO_ID, mode & 7)})
    return access, default


def _get(path: str, name: str) -> Entries | None:
    try:
        blob = os.getxattr(path, name)
    except OSError as e:
        if e.errno == errno.ENODATA:
            return None
        raise
    return frozenset((tag, id_, rights) for tag, rights, id_ in struct.iter_unpack("<HHI",
                                                                                    blob[4:]))


def _encode(entries: Entries) -> bytes:
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", tag, rights, id_)
                                           for tag, id_, rights in sorted(entries))


def _fix(owner: int | None, part: Part, rel: str, st: os.stat_result, fd: int) -> list[str]:
    """Give one path its owner, ACL and default ACL; what had to change."""
    path = f"/proc/self/fd/{fd}"
    want, want_default = part.wanted(rel, st)
    have, have_default = _read(rel, fd, st)
    done = []
    try:
        if owner is not None and st.st_uid != owner:
            os.chown(path, owner, -1)
            done.append("owner")
        if have != want:
            os.setxattr(path, _ACCESS, _encode(want))
            done.append("ACL")
        if have_default != want_default:
            if want_default is None:
                os.removexattr(path, _DEFAULT)
            else:
                os.setxattr(path, _DEFAULT, _encode(want_default))
            done.append("default ACL")
    except OSError as e:
        raise _error(rel, e) from e
    return done


def _error(rel: str, e: OSError) -> ArchiveError:
    where = rel or _("the archive folder")
    if e.errno in (errno.EPERM, errno.EACCES):
        return AccessDenied(_("{where}: may not read or change its owner or ACL; run"
                              " 'archive-tool permissions' as root, or let the archive service"
                              " do it").format(where=where))
    if e.errno in (errno.EOPNOTSUPP, errno.ENOTSUP):
        return ArchiveError(_("{where}: the file system does not support ACLs; mount it with"
                              " the 'acl' option").format(where=where))
    return ArchiveError(f"{where}: {e.strerror or e}")


# --- describing differences --------------------------------------------------------

def _unusable(st: os.stat_result) -> str:
    if stat.S_ISLNK(st.st_mode):
        return _("a symbolic link, left alone (nothing in the archive follows links);"
                 " replace it with what it points to")
    if stat.S_ISREG(st.st_mode):
        return _("a file with {n} names (hard links), left alone (another name may be outside"
                 " the archive); replace it with a copy").format(n=st.st_nlink)
    return _("neither a file nor a folder, left alone; remove it")


def _compare(where: str, want: Entries, have: Entries) -> list[str]:
    """Differences in effective rights: the mask cuts named users and groups."""
    wanted, held = _rights(want), _rights(have)
    lines = []
    for key in sorted(wanted.keys() | held.keys()):
        should = wanted.get(key, (0, 0))[0]
        has, granted = held.get(key, (0, 0))
        if has != should:
            if granted & ~has:
                line = _("{where}: {who} has {has} (granted {granted}, cut by the mask),"
                         " should have {should}")
            else:
                line = _("{where}: {who} has {has}, should have {should}")
            lines.append(line.format(where=where, who=_who(*key), has=_fmt(has),
                                     granted=_fmt(granted), should=_fmt(should)))
    return lines


def _rights(entries: Entries) -> dict[tuple[int, int], tuple[int, int]]:
    """(tag, id) -> (effective rights, granted rights)."""
    mask = next((rights for tag, _, rights in entries if tag == _MASK), RWX)
    return {(tag, id_): (rights & mask if tag in (_USER, _GROUP_OBJ, _GROUP) else rights,
                         rights)
            for tag, id_, rights in entries if tag != _MASK}


def _who(tag: int, id_: int) -> str:
    if tag == _USER:
        return _("user {name}").format(name=_user(id_))
    if tag == _GROUP:
        try:
            return _("group {name}").format(name=grp.getgrgid(id_).gr_name)
        except KeyError:
            return _("group {name}").format(name=id_)
    return _({_USER_OBJ: N_("the owner"), _GROUP_OBJ: N_("the owning group")}.get(
        tag, N_("everyone else")))


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _fmt(rights: int) -> str:
    return "".join(c if rights & bit else "-" for c, bit in (("r", R), ("w", W), ("x", X)))
