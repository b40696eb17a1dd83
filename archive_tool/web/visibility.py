"""Who may see which client, for a service answering many searches: the client
records are read again only when their client.yaml changed (its size, times and
inode), so a non-admin's search does not parse every record each time, and a
reassignment still counts from the next search on."""

from __future__ import annotations

import copy
import os
import threading
from collections import defaultdict

from archive_tool.archive import Archive
from archive_tool.config import CLIENTS_DIR
from archive_tool.files import folder_fd
from archive_tool.records import CLIENT_FILE, Client, client_folders, load_client

Key = tuple[int, int, int, int] | None


class RecordCache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_folder: dict[str, tuple[Key, Client]] = {}

    def clients(self, archive: Archive) -> list[Client]:
        """Every client folder's record (unchecked, as Archive.visibility reads them),
        each knowing the other folders that claim its id; copies, so that what one
        request learns about them (confirmed grants) stays with that request."""
        root = archive.root
        folders = list(client_folders(root))
        keys = _keys(archive, [folder.name for _, folder in folders])
        found = []
        with self.lock:
            for (client_id, folder), key in zip(folders, keys, strict=True):
                cached = self.by_folder.get(folder.name)
                if cached is None or cached[0] != key or key is None:
                    cached = (key, load_client(root, client_id, folder, check=False))
                    self.by_folder[folder.name] = cached
                found.append(copy.copy(cached[1]))  # this request's: grants set anew
            for gone in set(self.by_folder) - {folder.name for _, folder in folders}:
                del self.by_folder[gone]
        by_id: dict[str, list[Client]] = defaultdict(list)
        for c in found:
            by_id[c.id].append(c)
        for c in found:
            c.confirmed = None
            c._rivals = [o for o in by_id[c.id] if o is not c]
        return found


def _keys(archive: Archive, names: list[str]) -> list[Key]:
    try:
        fd = folder_fd(archive.root, CLIENTS_DIR)
    except OSError:
        return [None] * len(names)
    keys: list[Key] = []
    try:
        for name in names:
            try:
                st = os.stat(f"{name}/{CLIENT_FILE}", dir_fd=fd, follow_symlinks=False)
                keys.append((st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino))
            except OSError:
                keys.append(None)
    finally:
        os.close(fd)
    return keys


class WebArchive(Archive):
    """The archive for one request of the web page: Archive itself, its client
    records read through the service's RecordCache (the rules are Archive's)."""

    record_cache: RecordCache | None = None

    def unchecked_records(self) -> list[Client]:
        if self.record_cache is None:
            return super().unchecked_records()
        return self.record_cache.clients(self)
