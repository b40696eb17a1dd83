"""The background daemon: watch the shared folder, validate and index every change.

Events are hints. The watchdog handler only maps paths to units of work (client
folders) and marks them; one worker reconciles each unit against the catalog
after a quiet period. A full reconcile at start, periodically, after a kernel
queue overflow, when the root comes back and after the observer is restarted
catches whatever the events missed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirModifiedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from archive_tool import custody, scans, syncing
from archive_tool.archive import Archive
from archive_tool.changes import (
    EVERYTHING,
    GROWING_SECONDS,
    Debouncer,
    filesystem_type,
    held_by_locks,
    is_office_lock,
    needs_polling,
    route,
)
from archive_tool.config import CLIENTS_DIR
from archive_tool.files import write_atomic
from archive_tool.i18n import _
from archive_tool.lockfile import DaemonLock
from archive_tool.reconcile import Interrupted
from archive_tool.records import client_folders
from archive_tool.server import Server
from archive_tool.statedir import CATALOG, DAEMON_STATUS
from archive_tool.upkeep import Upkeep

TYPE_CHECKING = False
if TYPE_CHECKING:
    from archive_tool.web.server import WebServer

log = logging.getLogger("archive_tool.daemon")
FAST_EVENTS = ("closed", "moved")  # a write that has completed
POLLING_GROWING_SECONDS = 0.25
SCANS_EVERY = 60.0  # seconds between looks at the OCR queue when nothing wakes the reader
READS = ("opened", "closed_no_write")  # reading changes nothing (and the daemon reads)
# The events asked of the kernel: changes only. Opens and reads are not even queued,
# or the daemon's own reading of 50,000 files would overflow the inotify queue.
CHANGES = (FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent,
           FileClosedEvent, DirCreatedEvent, DirDeletedEvent, DirMovedEvent, DirModifiedEvent)


class _Handler(FileSystemEventHandler):
    """Maps events to units of work. Does no I/O and never raises: an exception here
    would end the observer's dispatch thread for good."""

    def __init__(self, daemon: Daemon):
        self.daemon = daemon

    def on_any_event(self, event: FileSystemEvent) -> None:
        try:
            self.daemon.hint(event)
        except Exception as e:  # the observer thread must survive anything
            log.warning(_("could not map {path} ({error}); reconciling everything").format(
                path=event.src_path, error=e))
            self.daemon.must_reconcile_all = True


class _OverflowWatch(logging.Handler):
    """watchdog only logs a kernel queue overflow; this turns the log line into a
    full reconcile."""

    def __init__(self, daemon: Daemon):
        super().__init__(logging.WARNING)
        self.daemon = daemon

    def emit(self, record: logging.LogRecord) -> None:
        if "overflow" in record.getMessage().lower():
            self.daemon.must_reconcile_all = True
            self.daemon.debouncer.wake()


class _Hold:
    """For one pass: is a file still being written (changed within a second and no
    completed write seen since) or open in LibreOffice or Word (a lock file beside
    it)? Each folder is listed once per pass."""

    def __init__(self, root: Path, closed: dict[str, float], growing: float,
                 stale_after: float, stale: set[str]):
        self.root = root
        self.closed = closed
        self.growing = growing
        self.stale_after = stale_after
        self.stale = stale  # the daemon's: each stale lock is logged once
        self.locked: dict[Path, set[str]] = {}
        self.now = time.time()

    def __call__(self, path: str, st: os.stat_result) -> bool:
        full = self.root / path
        folder = full.parent
        if folder not in self.locked:
            self.locked[folder] = held_by_locks(self._live_locks(folder))
        if full.name in self.locked[folder]:
            return True
        return (self.now - st.st_mtime < self.growing
                and self.closed.get(str(full), 0.0) < st.st_mtime)

    def _live_locks(self, folder: Path) -> list[str]:
        """The folder's names, without editor locks older than the policy allows (left
        by an editor that crashed or a desktop that lost the share)."""
        names = []
        try:
            entries = list(folder.iterdir())
        except OSError:
            return []
        for entry in entries:
            name = entry.name
            if is_office_lock(name):
                try:
                    age = self.now - entry.lstat().st_mtime
                except OSError:
                    continue
                if age > self.stale_after:
                    if str(entry) not in self.stale:
                        self.stale.add(str(entry))
                        log.warning(_("{lock} is {hours:.0f} hours old: taken as left behind by"
                                      " an editor; its document is indexed").format(
                                          lock=entry, hours=age / 3600))
                    continue
            names.append(name)
        return names



class Daemon:
    def __init__(self, archive: Archive, *, poll: float | None = None,
                 full_every: float = 3600.0, quiet: float = 0.4, max_delay: float = 3.0,
                 server: Server | None = None, upkeep: Upkeep | None = None,
                 web: WebServer | None = None):
        """server: the archive service's socket, served while the daemon runs;
        upkeep: keeps the shared folder's permissions (an archive set up for a team);
        web: the web page, served while the daemon runs."""
        self.archive = archive
        self.server = server
        self.web = web
        self.upkeep = upkeep
        self.root = archive.root
        self.poll = poll
        self.full_every = full_every
        self.debouncer = Debouncer(quiet=quiet, max_delay=max_delay)
        self.stopping = threading.Event()
        self.scans_due = threading.Event()  # files may be waiting for OCR
        self.must_reconcile_all = False
        self.observer: BaseObserver | None = None
        self.closed: dict[str, float] = {}  # path -> when a completed write was seen
        self.stale_locks: set[str] = set()
        self.started = datetime.now(UTC)
        self.last_full: float | None = None
        self.last_sync: str | None = None
        self.root_present = True
        self.lock = DaemonLock(archive.state_dir)
        self._root_prefix = str(self.root).rstrip("/") + "/"
        self._notify = os.environ.get("NOTIFY_SOCKET")

    # --- the handler's side: no I/O --------------------------------------------

    def hint(self, event: FileSystemEvent) -> None:
        if event.event_type in READS:
            return
        fast = event.event_type in FAST_EVENTS
        for path in (event.src_path, getattr(event, "dest_path", "")):
            if not path:
                continue
            path = os.fsdecode(path)
            key = route(self._root_prefix, path)
            if key is None:
                continue
            if fast and not event.is_directory:
                self.closed[path] = time.time()
            self.debouncer.mark(key, fast)

    # --- life cycle ---------------------------------------------------------------

    def run(self, once: bool = False) -> None:
        self.lock.acquire()
        try:
            if once:
                self._keep_permissions(None)
                self._sync(None, watching=False)
                with self.archive.shared.writer:
                    syncing.read_scans(self.archive, stop=self.stopping.is_set)
                return
            self._install_signals()
            overflow = _OverflowWatch(self)
            logging.getLogger("watchdog").addHandler(overflow)
            try:
                if self.server is not None:
                    self.server.start()
                    log.info(_("serving {socket}").format(socket=self.server.path))
                if self.web is not None:
                    self.web.start()
                self._start_observer()
                self._finish_checkins()
                self._keep_permissions(None)
                self._sync(None)
                reader = threading.Thread(target=self._read_scans, name="archive-tool-ocr",
                                          daemon=True)
                reader.start()
                self._notify_systemd("READY=1")
                log.info(_("watching {root} with {watcher}").format(
                    root=self.root, watcher=type(self.observer).__name__))
                self._loop()
            finally:
                logging.getLogger("watchdog").removeHandler(overflow)
                self._notify_systemd("STOPPING=1")
                if self.web is not None:
                    self.web.stop()
                if self.server is not None:
                    self.server.stop()
                self._stop_observer()
                self._write_status(running=False)
        finally:
            self.lock.release()

    def stop(self) -> None:
        self.stopping.set()
        self.scans_due.set()
        self.debouncer.wake()

    def _read_scans(self) -> None:
        """OCR in the background, one scanned file at a time (scans.py): each file's
        folder gets a pass as soon as it is read, which indexes its text."""
        while not self.stopping.is_set():
            self.scans_due.wait(SCANS_EVERY)
            self.scans_due.clear()
            if self.stopping.is_set():
                return
            try:
                for _sha, paths in scans.drain(self.root, self.archive.state_dir / CATALOG,
                                               stop=self.stopping.is_set,
                                               lock=self.archive.shared.writer):
                    for path in paths:
                        self.debouncer.mark(path.split("/")[1], fast=True)
            except Exception as e:  # OCR must never end the daemon
                log.error(_("could not read scanned files: {error}; trying again later").format(
                    error=e))

    def _loop(self) -> None:
        while not self.stopping.is_set():
            self.debouncer.wait(1.0)
            if self.stopping.is_set():
                break
            self._supervise()
            if not self.root_present:
                continue
            if self.must_reconcile_all or (
                    self.last_full is not None
                    and time.monotonic() - self.last_full >= self.full_every):
                self.must_reconcile_all = False
                self.debouncer.take_due()
                self._sync(None)
                continue
            due = self.debouncer.take_due()
            if EVERYTHING in due:
                self._keep_permissions(None)  # a departure ends access before the pass
                self._sync(None, revalidate=True)
            elif due:
                self._sync([self.root / CLIENTS_DIR / key for key in due])
            self._notify_systemd("WATCHDOG=1")

    # --- one pass -------------------------------------------------------------------

    def _sync(self, folders: list[Path] | None, watching: bool = True,
              revalidate: bool = False) -> None:
        """Reconcile, validate, index; log what was found or fixed. A failure is
        logged and the work is tried again later, never the end of the daemon.
        While watching, files still being written wait for a later pass."""
        what = "all clients" if folders is None else ", ".join(f.name for f in folders)
        try:
            with self.archive.shared.writer:
                result = syncing.sync(
                    self.archive, folders, revalidate=revalidate, stop=self.stopping.is_set,
                    hold=_Hold(self.root, self.closed, self._growing(),
                               self.archive.settings.policy.office_lock_hours * 3600,
                               self.stale_locks) if watching else None)
        except Interrupted:
            return
        except Exception as e:  # one bad pass must not end a months-long run
            log.error(_("could not reconcile {what}: {error}; retrying in 5 s").format(
                what=what, error=e))
            for key in ([EVERYTHING] if folders is None else [f.name for f in folders]):
                self.debouncer.mark(key, delay=5.0)
            return
        report = result.report
        self._keep_permissions(report.folders if folders is not None else None)
        if folders is None:
            self.last_full = time.monotonic()
            for co in self.archive.ledger.open():
                if co.overdue(self.archive.today):
                    log.warning(_("check-out overdue: {path} by {login}, due {due}").format(
                        path=co.path, login=co.login, due=co.due))
        self.last_sync = datetime.now(UTC).isoformat(timespec="seconds")
        if report.wrote:
            log.info(_("indexed {what}: {summary}").format(what=what, summary=report.summary()))
        for w in report.warnings:
            log.warning("%s", w)
        for path, problem in report.problems:
            log.warning("%s: %s", path, problem)
        for p in result.found:
            log.warning(_("problem: {problem}").format(problem=p))
        for p in result.fixed:
            log.info(_("fixed: {problem}").format(problem=p))
        for path in report.held:
            self.debouncer.mark(path.split("/")[1], delay=self._growing())
        if report.scans:
            self.scans_due.set()
        self._forget_old_closes()
        self._write_status(running=True)

    def _finish_checkins(self) -> None:
        """Check-ins a kill cut are finished (or undone) before anything else."""
        try:
            for line in custody.finish_checkins(self.archive):
                log.warning("%s", line)
        except Exception as e:
            log.error(_("could not finish interrupted check-ins: {error}; trying again at the"
                        " next start").format(error=e))

    def _keep_permissions(self, folders: set[str] | None) -> None:
        """Permissions on disk equal to the policy: every path (None) or the client
        folders a pass changed. A failure is logged and tried again at the next pass."""
        if self.upkeep is None:
            return
        try:
            if folders is None:
                self.upkeep.everything()
            else:
                self.upkeep.folders(set(folders))
        except Exception as e:
            log.error(_("could not set the folders' permissions: {error}; trying again at the"
                        " next pass").format(error=e))
            self.must_reconcile_all = True

    def _growing(self) -> float:
        """How recent a change must be to count as a write in progress. Kernel events
        report completed writes (close, rename), so a second without one is kept
        waiting; a poller reports none, and a file it saw changing keeps the folder
        from going quiet anyway, so a short margin is enough."""
        return POLLING_GROWING_SECONDS if isinstance(self.observer, PollingObserver) \
            else GROWING_SECONDS

    def _forget_old_closes(self) -> None:
        horizon = time.time() - 60
        for path in [p for p, t in self.closed.items() if t < horizon]:
            self.closed.pop(path, None)

    # --- the observer -------------------------------------------------------------

    def _start_observer(self) -> None:
        """Start watching; the observer is published once it runs."""
        polling = self.poll is not None or needs_polling(filesystem_type(self.root))
        observer = PollingObserver(timeout=self.poll or 2.0) if polling else Observer()
        observer.schedule(_Handler(self), str(self.root), recursive=True,
                          event_filter=list(CHANGES))
        observer.start()
        self.observer = observer

    def _stop_observer(self) -> None:
        if self.observer is not None:
            with contextlib.suppress(Exception):
                self.observer.stop()
                self.observer.join(5)
            self.observer = None

    def _supervise(self) -> None:
        """Restart a dead observer; pause while the root is gone and reconcile
        everything when it is back (a vanished share must not empty the index)."""
        present = (self.root / CLIENTS_DIR).is_dir() and any(client_folders(self.root))
        if not present:
            if self.root_present:
                log.error(_("{folder} is missing or empty; waiting for it to come back").format(
                    folder=self.root / CLIENTS_DIR))
            self.root_present = False
            return
        if not self.root_present:
            log.info(_("{folder} is back; reconciling everything").format(
                folder=self.root / CLIENTS_DIR))
            self.root_present = True
            self._restart_observer()
            return
        alive = self.observer is not None and self.observer.is_alive() and all(
            e.is_alive() for e in self.observer.emitters)
        if not alive:
            log.error(_("the file watcher stopped; restarting it"))
            self._restart_observer()

    def _restart_observer(self) -> None:
        self._stop_observer()
        self._start_observer()
        self.must_reconcile_all = True

    # --- one daemon per archive, signals, systemd, status ---------------------------

    def _install_signals(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stop())

    def _notify_systemd(self, message: str) -> None:
        """sd_notify without a dependency: one datagram to $NOTIFY_SOCKET."""
        if not self._notify:
            return
        address = "\0" + self._notify[1:] if self._notify.startswith("@") else self._notify
        with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX,
                                                         socket.SOCK_DGRAM) as s:
            s.sendto(message.encode(), address)

    def _write_status(self, running: bool) -> None:
        status = {
            "pid": os.getpid(), "running": running,
            "started": self.started.isoformat(timespec="seconds"),
            "last_reconcile": self.last_sync,
            "pending": len(self.debouncer),
            "oldest_pending_seconds": round(self.debouncer.oldest_age(), 2),
            "watcher": type(self.observer).__name__ if self.observer else None,
            "root_present": self.root_present,
        }
        try:
            write_atomic(self.archive.state_dir / DAEMON_STATUS, json.dumps(status, indent=2))
        except OSError as e:
            log.warning(_("cannot write {path}: {error}; 'archive-tool status' will be stale"
                          ).format(path=self.archive.state_dir / DAEMON_STATUS,
                                   error=e.strerror or e))

