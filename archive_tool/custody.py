"""Check-out, check-in, versions and restore: the commands that move files in and
out of the archive, on the record and without losing a version."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import time
from pathlib import Path, PurePosixPath

from archive_tool.archive import Archive
from archive_tool.errors import AccessDenied, Conflict, NotFound, UsageError
from archive_tool.files import copy_into, file_in
from archive_tool.i18n import _
from archive_tool.ledger import Checkin, Checkout, inside
from archive_tool.protocol import read_chunks
from archive_tool.reconcile import scan, sha256_in
from archive_tool.records import CLIENT_FOLDER, CLIENTS_DIR, Client
from archive_tool.statedir import INCOMING, VERSIONS
from archive_tool.versions import Version

STALE_TEMP_SECONDS = 600  # a version being stored for longer than this was cut


def _client_files(archive: Archive, client, paths: list[str]) -> list[str]:
    """Archive-relative paths of the requested files of a client (all when none); the
    files of confidential entries the caller may not see are not there for them."""
    hidden = archive.hidden_paths(client)
    if not paths:
        return sorted(p for p in scan(archive.root, client.folder, archive.settings.ignore)
                      if p not in hidden)
    out = []
    for given in paths:
        try:
            full = inside(client.folder, given)
        except ValueError:
            raise UsageError(_("{path}: give a path inside the client's folder, without"
                               " '..', absolute paths or links").format(path=given)) from None
        rel = full.relative_to(archive.root).as_posix()
        if not full.is_file() or rel in hidden:
            raise NotFound(_("{path}: no such file in {folder}").format(
                path=given, folder=client.relpath))
        out.append(rel)
    return out


def checkout(archive: Archive, client_id: str, paths: list[str], to: Path, edit: bool,
             days: int | None, purpose: str | None) -> list[Checkout]:
    client = archive.client(client_id, "checkout")
    days = days or archive.settings.policy.checkout_max_days
    if days > archive.settings.policy.checkout_max_days and not archive.user.is_admin:
        raise UsageError(_("check-outs last at most {days} days; ask the information"
                           " department for longer").format(
                               days=archive.settings.policy.checkout_max_days))
    files = _client_files(archive, client, paths)
    if edit:
        for path in files:
            held = archive.ledger.open_edit(path)
            if held:
                archive.record("checkout", client=client_id, path=path, outcome="conflict")
                raise Conflict(_("{path} is checked out for editing by {login} ({staff})"
                                 " until {due}").format(
                    path=path, login=held.login, staff=held.staff or _("unknown staff"),
                    due=held.due))
    folder = Path(archive.outside.resolve(str(to)))
    done = []
    for path in files:
        dest = folder / Path(path).relative_to(CLIENTS_DIR)
        if edit and archive.ledger.open_edit(path):
            raise Conflict(_("{path} was just checked out for editing by someone else")
                           .format(path=path))
        sha = sha256_in(archive.root, path)
        _send_out(archive, path, str(dest), _("check out to an empty folder"))
        co = archive.ledger.add(client_id, path, str(dest), archive.user.staff_id,
                                archive.user.login, archive.today, days, purpose, sha, edit)
        if co is None:
            held = archive.ledger.open_edit(path)
            raise Conflict(_("{path} was just checked out for editing by {login}; {dest} is"
                             " a plain copy, not checked out").format(
                path=path, login=held.login if held else _("someone else"), dest=dest))
        archive.record("checkout", client=client_id, path=path,
                       detail=f"{'edit' if edit else 'read'} to {dest} until {co.due}"
                              f"; purpose: {purpose or '-'}")
        done.append(co)
    return done


def _send_out(archive: Archive, path: str, dest: str, hint: str) -> None:
    """Copy an archive file (never through a link) to the caller's dest, which must
    not exist yet."""
    with file_in(archive.root, path) as inp:
        try:
            archive.outside.write_new(dest, read_chunks(inp))
        except FileExistsError:
            raise Conflict(_("{dest} already exists; {hint}").format(dest=dest, hint=hint)
                           ) from None


def _open_checkout(archive: Archive, copy: Path) -> Checkout:
    co = archive.ledger.by_dest(archive.outside.resolve(str(copy)))
    if co is None:
        raise NotFound(_("{copy}: not an open check-out; see 'archive-tool checkouts'")
                       .format(copy=copy))
    if co.login != archive.user.login and not archive.user.is_admin:
        archive.record("checkin", client=co.client_id, path=co.path, outcome="denied")
        raise AccessDenied(_("{copy} was checked out by {login}; only they or an admin may"
                             " check it in").format(copy=copy, login=co.login))
    return co


def checkin(archive: Archive, copies: list[Path], note: str | None = None,
            force: bool = False) -> list[Checkout]:
    """Put edited copies back, keeping the archive's content as a version first. Each
    check-in is one transaction (content, versions, audit, ledger): the new content
    is staged complete in .archive/ first, and a restart finishes what a kill cut."""
    archive.require("checkin")
    if force and not archive.user.is_admin:
        raise AccessDenied(_("--force is for the information department's administrators"))
    finish_checkins(archive)
    done = []
    for copy in copies:
        co = _open_checkout(archive, copy)
        if archive.outside.kind(str(copy)) != "file":
            raise NotFound(_("{copy}: the checked-out copy is gone; use --cancel to release"
                             " it").format(copy=copy))
        try:
            current: str | None = sha256_in(archive.root, co.path)
        except FileNotFoundError:
            current = None
        forced = co.login != archive.user.login
        if co.edit and current != co.sha256:
            if not force:
                archive.record("checkin", client=co.client_id, path=co.path,
                               outcome="conflict")
                raise Conflict(_("{path} changed in the archive since it was checked out;"
                                 " nothing was replaced and both versions are kept (yours:"
                                 " {copy}); an admin may check it in with --force").format(
                    path=co.path, copy=copy))
            forced = True
        if not co.edit:
            archive.ledger.close(co, "forced" if forced else "returned", note)
            archive.record("checkin", client=co.client_id, path=co.path,
                           detail=("forced; " if forced else "") + (note or "")
                           + " (read check-out returned)")
            done.append(co)
            continue
        staged, sha = _stage(archive, copy, co)
        pending = archive.ledger.begin_checkin(co, staged.name, sha, archive.user.login, note,
                                               forced)
        try:
            _complete(archive, pending, co)
        except BaseException:
            if _sha_or_none(archive, co.path) != sha:  # not in place: as if never begun
                archive.ledger.end_checkin(pending, None, "")
                staged.unlink(missing_ok=True)
            raise  # in place: the next command or a restart finishes it
        done.append(co)
    return done


def _stage(archive: Archive, copy: Path, co: Checkout) -> tuple[Path, str]:
    """The caller's copy, complete and synced in .archive/incoming/, and its hash."""
    folder = archive.state_dir / INCOMING
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    staged = folder / f"{co.id}.{secrets.token_hex(4)}"
    digest = hashlib.sha256()
    try:
        with archive.outside.open_read(str(copy)) as inp, staged.open("xb") as out:
            for chunk in read_chunks(inp):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return staged, digest.hexdigest()


def _complete(archive: Archive, pending: Checkin, co: Checkout) -> None:
    """Keep the archive's content as a version, put the staged content in place, keep
    it too, audit, close the check-out; each step safe to repeat after a kill."""
    staged = archive.state_dir / INCOMING / pending.staged
    target = archive.root / co.path
    try:
        current: str | None = sha256_in(archive.root, co.path)
    except FileNotFoundError:
        current = None
    if current != pending.sha256:
        if current is not None:
            archive.versions.keep(target, co.path, "checkin", pending.login)
        for temp in target.parent.glob(f".{target.name}.*.tmp"):  # a cut install's
            temp.unlink(missing_ok=True)
        with staged.open("rb") as inp:
            copy_into(archive.root, co.path, inp, exclusive=False, parents=True)
    archive.versions.keep(target, co.path, "checkin", pending.login)
    archive.wrote(target)
    state = "forced" if pending.forced else "returned"
    archive.record("checkin", client=co.client_id, path=co.path,
                   detail=("forced; " if pending.forced else "") + (pending.note or ""))
    archive.ledger.end_checkin(pending, co, state)
    staged.unlink(missing_ok=True)


def finish_checkins(archive: Archive) -> list[str]:
    """Finish the check-ins a kill or a crash cut (their content is staged complete),
    and remove what interrupted stagings left; returns what was done, for the log."""
    done = []
    folder = archive.state_dir / INCOMING
    names = {c.staged for c in archive.ledger.checkins()}
    for pending in archive.ledger.checkins():
        co = archive.ledger.get(pending.checkout_id)
        staged = folder / pending.staged
        if co is None or co.state != "open":
            archive.ledger.end_checkin(pending, None, "")
            staged.unlink(missing_ok=True)
            continue
        try:
            complete = staged.is_file() and _digest(staged) == pending.sha256
        except OSError:
            complete = False
        if complete or _sha_or_none(archive, co.path) == pending.sha256:
            _complete(archive, pending, co)
            done.append(f"check-in of {co.path} finished after an interruption")
        else:
            archive.ledger.end_checkin(pending, None, "")
            archive.record("checkin", client=co.client_id, path=co.path, outcome="error",
                           detail="interrupted before its content arrived; the check-out"
                                  " stays open")
            done.append(f"check-in of {co.path} undone: its content never arrived")
    if folder.is_dir():
        for leftover in folder.iterdir():
            if leftover.name not in names:
                leftover.unlink(missing_ok=True)
    stale = time.time() - STALE_TEMP_SECONDS
    for temp in (archive.state_dir / VERSIONS).glob("**/.blob.*"):
        with contextlib.suppress(OSError):
            if temp.stat().st_mtime < stale:
                temp.unlink()
    return done


def _sha_or_none(archive: Archive, path: str) -> str | None:
    try:
        return sha256_in(archive.root, path)
    except OSError:
        return None


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in read_chunks(f):
            h.update(chunk)
    return h.hexdigest()


def cancel(archive: Archive, copies: list[Path]) -> list[Checkout]:
    archive.require("checkin")
    done = []
    for copy in copies:
        co = _open_checkout(archive, copy)
        archive.ledger.close(co, "cancelled")
        archive.record("checkin-cancel", client=co.client_id, path=co.path)
        done.append(co)
    return done


def checkouts(archive: Archive, user: str | None = None,
              overdue: bool = False) -> list[Checkout]:
    archive.require("checkouts")
    found = []
    for co in archive.ledger.open():
        if user and user not in (co.staff, co.login):
            continue
        if overdue and not co.overdue(archive.today):
            continue
        if not archive.user.is_admin and co.login != archive.user.login:
            continue
        found.append(co)
    return found


def _archive_path(archive: Archive, given: str) -> tuple[str, Client]:
    """An archive-relative path to a client's file, checked for escapes and access (the
    files of confidential entries the caller may not see look like no file at all)."""
    given_path = PurePosixPath(given)
    if given_path.is_absolute():
        try:
            given_path = given_path.relative_to(archive.root)
        except ValueError:
            raise UsageError(_("{path}: not inside the archive").format(path=given)) from None
    parts = given_path.parts
    folder = CLIENT_FOLDER.match(parts[1]) if len(parts) >= 3 else None
    if ".." in parts or folder is None or parts[0] != CLIENTS_DIR:
        raise UsageError(_("{path}: give a file's path inside a client folder"
                           " (clients/CL-0001-x/...), without '..'").format(path=given))
    client = archive.client(folder.group(1), "versions")
    path = given_path.as_posix()
    if client.folder.name != parts[1] or path in archive.hidden_paths(client):
        archive.record("versions", client=client.id, path=path, outcome="not-found")
        raise NotFound(_("{path}: no stored versions").format(path=path))
    return path, client


def versions(archive: Archive, given: str) -> list[Version]:
    path = _archive_path(archive, given)[0]
    found = archive.versions.history(path)
    archive.record("versions", path=path)
    if not found:
        raise NotFound(_("{path}: no stored versions").format(path=path))
    return found


def restore(archive: Archive, given: str, n: int | None = None,
            to: Path | None = None, force: bool = False) -> tuple[Version, Path]:
    """Put a version back in place (the current content becoming a version first) or
    write it elsewhere; the blob is checked against its hash first."""
    path, client = _archive_path(archive, given)
    version = archive.versions.get(path, n)
    blob = archive.versions.read_checked(version)
    client_id = client.id
    if to is not None:
        dest = Path(archive.outside.resolve(str(to)))
        if archive.outside.kind(str(dest)) == "dir":
            dest = dest / Path(path).name
        with blob.open("rb") as inp:
            try:
                archive.outside.write_new(str(dest), read_chunks(inp), overwrite=force)
            except FileExistsError:
                raise Conflict(_("{dest} already exists; restore to a new name, or replace"
                                 " it with --force").format(dest=dest)) from None
    else:
        dest = archive.root / path
        if archive.ledger.open_edit(path):
            raise Conflict(_("{path} is checked out for editing; check it in or cancel"
                             " first").format(path=path))
        if dest.is_symlink():
            raise UsageError(_("{path} is a symbolic link; remove it first").format(
                path=path))
        if dest.exists():
            archive.versions.keep(dest, path, "restore", archive.user.login)
        archive.versions.write_back(version, path)
        archive.versions.keep(dest, path, "restore", archive.user.login)
        archive.wrote(dest)
    archive.record("restore", client=client_id, path=path,
                   detail=f"version {version.n} to {dest}")
    return version, dest


def gc(archive: Archive, keep_days: int | None = None) -> tuple[int, int]:
    archive.require_admin("gc")
    keep_days = keep_days or archive.settings.policy.version_retention_days
    if not keep_days:
        raise UsageError(_("every version is kept unless archive.yaml sets"
                           " policy.version_retention_days (or give --keep-days)"))
    result = archive.versions.gc(keep_days)
    archive.record("gc", detail=f"kept {keep_days} days: {result[0]} versions forgotten,"
                                f" {result[1]} blobs deleted")
    return result


def history(archive: Archive, client_id: str) -> tuple[list[dict], list[Version]]:
    """The record's field-level journal and the stored versions of the client's files
    (those of entries the caller may not see left out)."""
    client = archive.client(client_id, "history")
    hidden = archive.hidden_paths(client)
    files = [v for v in archive.versions.under(client.relpath) if v.path not in hidden]
    archive.record("history", client=client_id)
    return archive.catalog.journal(client_id), files
