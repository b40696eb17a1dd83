"""Putting things in the archive: a new client's folder from the template, and a
contact logged with its documents (`client new`, `log`)."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from archive_tool import templates, yamledit
from archive_tool.archive import Archive
from archive_tool.config import CLIENTS_DIR, STAFF_FILE
from archive_tool.errors import NotFound, UsageError
from archive_tool.files import copy_into, folder_fd, free_name, slug, write_atomic, write_in
from archive_tool.i18n import _
from archive_tool.records import CLIENT_FILE, CORRESPONDENCE, REPORTS, Client, client_folders
from archive_tool.statedir import LAST_CLIENT_ID
from archive_tool.words import shown_date


def next_client_id(archive: Archive) -> str:
    """One more than any id ever used: ids are never reused, even after a removal."""
    used = [int(cid[3:]) for cid, _ in client_folders(archive.root)]
    with contextlib.suppress(OSError, ValueError):
        used.append(int((archive.state_dir / LAST_CLIENT_ID).read_text().strip()[3:]))
    return f"CL-{max(used, default=0) + 1:04d}"


def new_client(archive: Archive, name: str, category: str, special_type: str | None = None,
               tier: str = "standard", important: bool = False,
               staff: list[str] | None = None) -> Client:
    archive.require("client-new")
    me = archive.user.staff_id
    staff = list(staff or ([] if me is None else [me]))
    for sid in staff:
        if archive.roster.get(sid) is None:
            raise NotFound(_("staff {id} is not in {file}; see its list of staff").format(
                id=sid, file=STAFF_FILE))
    if (category == "special") != bool(special_type):
        raise UsageError(_("--special-type is required for category special, and only"
                           " then"))
    client_id = next_client_id(archive)
    folder = f"{CLIENTS_DIR}/{client_id}-{slug(name, 30)}"
    text = templates.client_record(client_id, name, category, special_type, tier,
                                   important, staff, archive.today, me)
    archive.install_schemas()
    tmp = f"{CLIENTS_DIR}/.{client_id}-{slug(name, 30)}.new"
    with contextlib.suppress(FileNotFoundError):
        _remove_tree(archive.root / tmp)
    for sub in (CORRESPONDENCE, REPORTS):
        os.close(folder_fd(archive.root, f"{tmp}/{sub}", create=True))
    write_in(archive.root, f"{tmp}/{CLIENT_FILE}", text, exclusive=True)
    (archive.root / tmp).rename(archive.root / folder)
    archive.state_dir.mkdir(mode=0o700, exist_ok=True)
    write_atomic(archive.state_dir / LAST_CLIENT_ID, client_id + "\n")
    archive.wrote(archive.root / folder / CLIENT_FILE)
    archive.forget_clients()
    archive.record("client-new", client=client_id, path=folder)
    client = archive.client(client_id)
    from archive_tool import grants  # the grants it was born with are the tool's own
    grants.confirm(archive, client_id, client.grants)
    return client


def _claim(folder: Path, stem: str, suffix: str, taken: set[str],
           write: Callable[[str], None]) -> str:
    """Write under the first free name stem+suffix, stem-2+suffix...; another process
    taking a name at the same moment only moves this one to the next."""
    while True:
        name = free_name(folder, stem, suffix, taken)
        taken.add(name)
        try:
            write(name)
        except FileExistsError:
            continue
        return name


def _remove_tree(path: Path) -> None:
    """A half-made folder of an interrupted `client new`: removed without following
    a link anyone put in its place or inside it."""
    if path.is_symlink() or not path.is_dir():
        path.unlink()
        return
    for child in path.iterdir():
        _remove_tree(child)
    path.rmdir()


def log(archive: Archive, client_id: str, kind: str, subject: str, *,
        when: date | None = None, direction: str | None = None,
        staff: list[str] | None = None, files: list[Path] | tuple[Path, ...] = (),
        summary: str | None = None, confidential: bool = False,
        counterpart: str | None = None, sends: str | None = None) -> Path:
    """Record a contact: copy the files in (read by the caller's own process), then
    write the entry. Nothing is left behind when any step fails. sends names a
    draft entry this letter sends."""
    client = archive.client(client_id, "log")
    draft = None
    if sends:
        draft = next((e for e in client.entries if e.path.name == sends
                      and e.data.get("draft") is True), None)
        if draft is None:
            raise NotFound(_("{name}: no draft entry of that name in {folder}").format(
                name=sends, folder=f"{client.relpath}/{CORRESPONDENCE}"))
    when = when or archive.today
    if when > archive.today:
        raise UsageError(_("date {date} is in the future; log contacts once they happen")
                         .format(date=shown_date(when)))
    me = archive.user.staff_id
    staff = list(staff or ([me] if me else []))
    for sid in staff:
        if archive.roster.get(sid) is None:
            raise NotFound(_("staff {id} is not in {file}; see its list of staff").format(
                id=sid, file=STAFF_FILE))
    sources = [str(f) for f in files]
    for src in sources:
        if archive.outside.kind(src) != "file":
            raise NotFound(_("{path}: no such file to attach").format(path=src))
    rel = f"{client.relpath}/{CORRESPONDENCE}"
    os.close(folder_fd(archive.root, rel, create=True))
    folder = archive.root / rel
    entry_stem = f"{when.isoformat()}-{slug(subject)}"
    entry_name = free_name(folder, entry_stem, ".yaml")  # kept from the attachments
    taken = {entry_name}
    names: list[str] = []
    try:
        for src in sources:
            base = re.sub(r"[^\w.-]+", "-", Path(src).name).strip("-.") or "attachment"

            def attach(name: str, src: str = src) -> None:
                with archive.outside.open_read(src) as inp:
                    copy_into(archive.root, f"{rel}/{name}", inp, exclusive=True,
                              private=confidential)

            names.append(_claim(folder, Path(base).stem, Path(base).suffix.lower(), taken,
                                attach))
        text = templates.entry_record({
            "date": when, "kind": kind, "direction": direction, "staff": staff,
            "counterpart": counterpart, "subject": subject, "summary": summary,
            "attachments": names, "confidential": confidential})
        entry_name = _claim(folder, entry_stem, ".yaml", taken - {entry_name},
                            lambda name: write_in(archive.root, f"{rel}/{name}", text,
                                                  exclusive=True, private=confidential))
    except BaseException:
        for name in names:
            (folder / name).unlink(missing_ok=True)
        raise
    if draft is not None:
        sent_on = when

        def mark_sent(data) -> None:
            data["draft"] = False
            data["sent"] = sent_on

        yamledit.edit(archive.root, draft.relpath, mark_sent)
        archive.wrote(draft.path)
    for name in (*names, entry_name):
        archive.wrote(folder / name)
    archive.record("log", client=client_id, path=f"{rel}/{entry_name}",
                   detail=f"{kind}: {subject}" + (f"; files: {', '.join(names)}" if names
                                                  else ""))
    return folder / entry_name
