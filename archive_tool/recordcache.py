"""What the archive service keeps of the archive's YAML files between requests: a
client record, archive.yaml or staff.yaml is read again only when the file
changed (its size, times and inode), so that a request does not parse them all
each time, and a reassignment or a departure still counts from the next request on."""

from __future__ import annotations

import copy
import os
import threading
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from archive_tool.config import ARCHIVE_FILE, CLIENTS_DIR, STAFF_FILE, Settings, load_settings
from archive_tool.files import folder_fd
from archive_tool.records import CLIENT_FILE, Client, Roster, client_folder_names, load_client

Key = tuple[int, int, int, int] | None


class RecordCache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_folder: dict[str, tuple[Key, Client]] = {}
        self._state: object = None
        self._visible: dict[str, frozenset[str]] = {}
        self._settings: tuple[object, Settings, Roster] | None = None

    def settings(self, root: Path) -> tuple[Settings, Roster]:
        """archive.yaml and staff.yaml as they are now (neither is changed in place by
        anyone who gets them: the same objects serve every request until a file
        changes)."""
        key = tuple(_key(root, name) for name in (ARCHIVE_FILE, STAFF_FILE))
        with self.lock:
            found = self._settings
        if found is not None and found[0] == key and None not in key:
            return found[1], found[2]
        settings, roster = load_settings(root), Roster.load(root)  # read after the stat
        with self.lock:
            self._settings = (key, settings, roster)
        return settings, roster

    def state(self, root: Path) -> tuple:
        """What the records are now, cheaply: each client folder and its client.yaml's
        size, times and inode (a write changes its ctime)."""
        folders = client_folder_names(root)
        return tuple(zip(folders, _keys(root, [name for _, name in folders]), strict=True))

    def visible(self, state: object, who: str,
                compute: Callable[[], frozenset[str]]) -> frozenset[str]:
        """The clients someone may see, worked out once per state of everything it
        depends on (state: the records' and the confirmed grants'; who: the person as
        staff.yaml describes them)."""
        with self.lock:
            if self._state != state:
                self._state, self._visible = state, {}
            found = self._visible.get(who)
        if found is None:
            found = compute()  # from records at least as new as state
            with self.lock:
                if self._state == state:
                    self._visible[who] = found
        return found

    def clients(self, root: Path, state: tuple | None = None) -> list[Client]:
        """Every client folder's record (unchecked, as Archive.visibility reads them),
        each knowing the other folders that claim its id; copies, so that what one
        request learns about them (confirmed grants) stays with that request. state:
        what state() just found, not to be looked up again."""
        state = self.state(root) if state is None else state
        found = []
        with self.lock:
            for (client_id, name), key in state:
                cached = self.by_folder.get(name)
                if cached is None or cached[0] != key or key is None:
                    client = load_client(root, client_id, root / CLIENTS_DIR / name,
                                         check=False)
                    client.grants  # noqa: B018  (worked out once here; every copy keeps it)
                    cached = (key, client)
                    self.by_folder[name] = cached
                found.append(copy.copy(cached[1]))  # this request's: grants set anew
            for gone in set(self.by_folder) - {name for (_, name), _key in state}:
                del self.by_folder[gone]
        by_id: dict[str, list[Client]] = defaultdict(list)
        for c in found:
            by_id[c.id].append(c)
        for c in found:
            c.confirmed = None
            c._rivals = [o for o in by_id[c.id] if o is not c]
        return found


def _signature(st: os.stat_result) -> Key:
    """What changes whenever a file is written or replaced."""
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


def _key(root: Path, name: str) -> Key:
    try:
        return _signature((root / name).lstat())  # never read through a link
    except OSError:
        return None


def _keys(root: Path, names: list[str]) -> list[Key]:
    try:
        fd = folder_fd(root, CLIENTS_DIR)
    except OSError:
        return [None] * len(names)
    keys: list[Key] = []
    try:
        for name in names:
            try:
                keys.append(_signature(os.stat(f"{name}/{CLIENT_FILE}", dir_fd=fd,
                                               follow_symlinks=False)))
            except OSError:
                keys.append(None)
    finally:
        os.close(fd)
    return keys

