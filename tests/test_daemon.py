"""The daemon with a real observer and real processes: every save pattern of real
editors, folder moves, bursts, overflows, kills and restarts end with the index
holding exactly what is on disk."""

import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import CLIENT, write

from archive_tool.archive import Archive
from archive_tool.catalog import Catalog
from archive_tool.daemon import Daemon
from archive_tool.index.store import SearchIndex
from archive_tool.reconcile import scan, sha256_of
from archive_tool.records import client_folders

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from generate import docx_bytes  # noqa: E402

CL = "clients/CL-0001-levante"
ENTRY = "date: 2026-03-04\nkind: note\nsubject: Nota\nattachments: [{}]\n"


def wait_for(condition, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (OSError, ValueError):  # the index between two commits: look again
            pass
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def indexed(root: Path) -> set[str]:
    index = SearchIndex(root / ".archive/index")
    if not index.current():
        return set()
    with index.searcher() as s:
        return {f["path"] for f in s.all_stored_fields()}


def found(root: Path, word: str) -> set[str]:
    index = SearchIndex(root / ".archive/index")
    if not index.current():
        return set()
    from archive_tool.index.query import Visibility, search
    results = search(index, word, visibility=Visibility(all_confidential=True), limit=10_000)
    return {h.path for h in results.hits}


def on_disk(root: Path) -> set[str]:
    return {p for _, folder in client_folders(root) for p in scan(root, folder, ())}


def index_matches_files(root: Path) -> bool:
    files = on_disk(root)
    if indexed(root) != files:
        return False
    rows = Catalog(root / ".archive/state.db").rows()
    return set(rows) == files and all(rows[p].sha256 == sha256_of(root / p) for p in files)


def start(root: Path, *args: str) -> subprocess.Popen:
    with (root.parent / "daemon.log").open("ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "archive_tool", "-A", str(root),
                                 "daemon", "--quiet-period", "0.1", *args],
                                stdout=log, stderr=log)
    wait_for(lambda: (root / ".archive/daemon.json").is_file() and indexed(root), 30,
             "the daemon's start-up reconcile")
    return proc


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)


@pytest.fixture
def daemon(root):
    write(root / CL / "correspondence/2026-03-04-nota.yaml", ENTRY.format("nota.txt"))
    write(root / CL / "correspondence/nota.txt", "texto original con manzanas\n")
    proc = start(root)
    yield root
    stop(proc)


NOTE = f"{CL}/correspondence/nota.txt"


def final_content_indexed(root, new_word, old_word="manzanas"):
    wait_for(lambda: NOTE in found(root, new_word) and NOTE not in found(root, old_word),
             15, f"'{new_word}' searchable in {NOTE}")
    wait_for(lambda: index_matches_files(root), 15, "index equal to files")


def test_vim_with_its_defaults(daemon):
    if not shutil.which("vim"):
        pytest.skip("vim is not installed (.ci/run installs it)")
    note = daemon / NOTE
    inode = note.stat().st_ino
    subprocess.run(["vim", "-u", "DEFAULTS", "-i", "NONE", "-es", "-c", "set backupskip=",
                    "-c", "%s/manzanas/naranjas/", "-c", "wq", str(note)], check=True,
                   timeout=30)
    assert note.stat().st_ino != inode  # vim wrote a new file and renamed
    final_content_indexed(daemon, "naranjas")


def test_sed_in_place(daemon):
    subprocess.run(["sed", "-i", "s/manzanas/ciruelas/", str(daemon / NOTE)], check=True)
    final_content_indexed(daemon, "ciruelas")


def test_temp_file_and_rename(daemon):
    note = daemon / NOTE
    tmp = note.with_name(".nota.txt.x1y2.tmp")
    tmp.write_text("texto nuevo con peras\n")
    os.replace(tmp, note)
    final_content_indexed(daemon, "peras")


def test_libreoffice_lock_temp_rename(daemon):
    corr = daemon / CL / "correspondence"
    write(corr / "2026-03-05-acta.yaml", ENTRY.format("acta.docx"))
    (corr / "acta.docx").write_bytes(docx_bytes(["Acta con manzanas"]))
    wait_for(lambda: f"{CL}/correspondence/acta.docx" in found(daemon, "manzanas"))
    lock = corr / ".~lock.acta.docx#"
    lock.write_text(",usuario,equipo,28.11.2026 10:00,file:///home/usuario/.config;")
    (corr / "lu12345abc.tmp").write_bytes(docx_bytes(["Acta con limones"]))
    os.replace(corr / "lu12345abc.tmp", corr / "acta.docx")
    lock.unlink()
    wait_for(lambda: f"{CL}/correspondence/acta.docx" in found(daemon, "limones"), 15)
    assert f"{CL}/correspondence/acta.docx" not in found(daemon, "manzanas")
    wait_for(lambda: index_matches_files(daemon), 15)


def test_word_owner_file_sequence(daemon):
    corr = daemon / CL / "correspondence"
    write(corr / "2026-03-05-informe.yaml", ENTRY.format("informe.docx"))
    (corr / "informe.docx").write_bytes(docx_bytes(["Informe con manzanas"]))
    owner = corr / "~$forme.docx"
    owner.write_bytes(b"\x07usuario")
    (corr / "~WRD0001.tmp").write_bytes(docx_bytes(["Informe con granadas"]))
    os.replace(corr / "informe.docx", corr / "~WRL0001.tmp")
    os.replace(corr / "~WRD0001.tmp", corr / "informe.docx")
    (corr / "~WRL0001.tmp").unlink()
    owner.unlink()
    path = f"{CL}/correspondence/informe.docx"
    wait_for(lambda: path in found(daemon, "granadas") and path not in found(
        daemon, "manzanas"), 15)
    wait_for(lambda: index_matches_files(daemon), 15)


def test_large_file_written_slowly(daemon):
    note = daemon / NOTE
    with note.open("w") as f:
        for i in range(30):
            f.write(f"línea {i} " + "relleno " * 20_000 + "\n")
            f.flush()
            time.sleep(0.05)  # a slow writer, not a wait: the file grows for 1.5 s
        f.write("final con melocotones\n")
    final_content_indexed(daemon, "melocotones")


def test_client_folder_renamed_moved_out_and_deleted(daemon, tmp_path):
    other = daemon / "clients/CL-0002-otro"
    write(other / "client.yaml", CLIENT.replace("CL-0001", "CL-0002").replace(
        "B46123451", "B46123469").replace("Suministros Levante", "Zapaterías Ruiz"))
    wait_for(lambda: "clients/CL-0002-otro/client.yaml" in found(daemon, "zapaterias"))
    other.rename(daemon / "clients/CL-0002-ruiz")
    wait_for(lambda: found(daemon, "zapaterias") == {"clients/CL-0002-ruiz/client.yaml"})
    shutil.move(daemon / "clients/CL-0002-ruiz", tmp_path / "fuera")
    wait_for(lambda: found(daemon, "zapaterias") == set())
    shutil.move(tmp_path / "fuera", daemon / "clients/CL-0002-ruiz")
    wait_for(lambda: found(daemon, "zapaterias") == {"clients/CL-0002-ruiz/client.yaml"})
    shutil.rmtree(daemon / "clients/CL-0002-ruiz")
    wait_for(lambda: found(daemon, "zapaterias") == set())
    wait_for(lambda: index_matches_files(daemon))


def test_five_thousand_files_dropped_at_once(daemon, tmp_path):
    staging = tmp_path / "CL-0003-lote"
    write(staging / "client.yaml", CLIENT.replace("CL-0001", "CL-0003").replace(
        "B46123451", "B46123477"))
    corr = staging / "correspondence"
    corr.mkdir()
    for i in range(5000):
        (corr / f"doc{i:04d}.txt").write_text(f"documento {i} sobre albaranes\n")
    shutil.move(staging, daemon / "clients/CL-0003-lote")
    wait_for(lambda: len(found(daemon, "albaranes")) == 5000, 120, "5,000 files indexed")
    wait_for(lambda: index_matches_files(daemon), 30)


def test_kill_9_during_heavy_changes_then_restart(root):
    proc = start(root)
    corr = root / CL / "correspondence"
    stop_writing = threading.Event()

    def writer():
        i = 0
        while not stop_writing.is_set() and i < 3000:
            (corr / f"k{i:04d}.txt").write_text(f"carga {i} de cerezas\n")
            i += 1

    t = threading.Thread(target=writer)
    t.start()
    wait_for(lambda: len(found(root, "cerezas")) > 50, 60, "indexing under way")
    proc.kill()
    proc.wait(10)
    stop_writing.set()
    t.join()
    written = len(list(corr.glob("k*.txt")))
    proc = start(root)  # the lock is free again and the start-up reconcile catches up
    try:
        wait_for(lambda: len(found(root, "cerezas")) == written, 120)
        wait_for(lambda: index_matches_files(root), 30)
    finally:
        stop(proc)


def test_second_daemon_is_refused(daemon):
    second = subprocess.run([sys.executable, "-m", "archive_tool", "-A", str(daemon), "daemon"],
                            capture_output=True, text=True, timeout=30, check=False)
    assert second.returncode == 5
    assert "error: a daemon is already running for" in second.stderr


def test_cli_index_does_not_fight_the_daemon(daemon):
    result = subprocess.run([sys.executable, "-m", "archive_tool", "-A", str(daemon), "index"],
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 5
    assert "keeps this archive's index up to date" in result.stderr
    searched = subprocess.run([sys.executable, "-m", "archive_tool", "-A", str(daemon),
                               "search", "manzanas"], capture_output=True, text=True,
                              timeout=30, check=False)
    assert searched.returncode == 0


def test_status_while_running_and_sigterm_within_5_s(root):
    proc = start(root)
    status = subprocess.run([sys.executable, "-m", "archive_tool", "-A", str(root), "--json",
                             "status"], capture_output=True, text=True, check=True)
    import json
    data = json.loads(status.stdout)
    assert data["daemon"]["running"] is True and data["daemon"]["pid"] == proc.pid
    assert data["index"]["exists"] is True
    began = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(5) == 0
    assert time.monotonic() - began < 5
    data = json.loads(subprocess.run(
        [sys.executable, "-m", "archive_tool", "-A", str(root), "--json", "status"],
        capture_output=True, text=True, check=True).stdout)
    assert data["daemon"]["running"] is False


def test_polling_mode(root):
    proc = start(root, "--poll", "0.3")
    try:
        write(root / CL / "correspondence/2026-03-06-p.yaml", ENTRY.format("p.txt"))
        write(root / CL / "correspondence/p.txt", "sondeo de mandarinas\n")
        wait_for(lambda: f"{CL}/correspondence/p.txt" in found(root, "mandarinas"), 20)
    finally:
        stop(proc)
    assert "PollingObserver" in (root.parent / "daemon.log").read_text()


def test_once_reconciles_and_exits(root):
    write(root / CL / "correspondence/2026-03-06-o.yaml", ENTRY.format("o.txt"))
    write(root / CL / "correspondence/o.txt", "una vez con uvas\n")
    result = subprocess.run([sys.executable, "-m", "archive_tool", "-A", str(root), "daemon",
                             "--once"], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert found(root, "uvas") == {f"{CL}/correspondence/o.txt"}
    assert index_matches_files(root)


# --- in-process, with a real observer in a thread ----------------------------------

@pytest.fixture
def running(root):
    archive = Archive(root)
    d = Daemon(archive, quiet=0.05)
    t = threading.Thread(target=d.run, daemon=True)
    t.start()
    wait_for(lambda: indexed(root), 30)
    yield d
    d.stop()
    t.join(10)
    assert not t.is_alive()


def test_overflow_then_full_reconcile_catches_up(root, running):
    original = running.hint
    running.hint = lambda event: None  # every event of the burst is lost
    corr = root / CL / "correspondence"
    for i in range(20):
        (corr / f"o{i}.txt").write_text(f"perdido {i} con higos\n")
    assert found(root, "higos") == set()
    running.hint = original
    logging.getLogger("watchdog.observers.inotify_c").warning(
        "Inotify queue overflowed; filesystem events were lost")
    wait_for(lambda: len(found(root, "higos")) == 20, 20)


def test_exception_inside_handling_is_survived(root, running, monkeypatch):
    from archive_tool import syncing

    calls = {"n": 0}
    real_sync = syncing.sync

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("disk on fire")
        return real_sync(*args, **kwargs)

    monkeypatch.setattr(syncing, "sync", flaky)
    write(root / CL / "correspondence/f.txt", "fallo y luego kiwis\n")
    wait_for(lambda: f"{CL}/correspondence/f.txt" in found(root, "kiwis"), 20)
    assert calls["n"] >= 2

    def broken_hint(event):
        raise ValueError("bad event")

    monkeypatch.setattr(running, "hint", broken_hint)
    from watchdog.events import FileModifiedEvent

    from archive_tool.daemon import _Handler
    _Handler(running).on_any_event(FileModifiedEvent(str(root / CL / "client.yaml")))
    assert running.must_reconcile_all is True


def test_dead_observer_is_restarted(root, running):
    old = running.observer
    old.stop()
    old.join(5)

    def restarted() -> bool:
        now = running.observer  # read once: the daemon thread replaces it
        return now is not None and now is not old and now.is_alive()

    wait_for(restarted, 10)
    write(root / CL / "correspondence/r.txt", "reinicio con moras\n")
    wait_for(lambda: f"{CL}/correspondence/r.txt" in found(root, "moras"), 20)


def test_vanished_root_deletes_nothing_and_comes_back(root, running, tmp_path):
    before = indexed(root)
    shutil.move(root / "clients", tmp_path / "away")
    wait_for(lambda: not running.root_present, 10)
    assert indexed(root) == before
    shutil.move(tmp_path / "away", root / "clients")
    wait_for(lambda: running.root_present, 10)
    write(root / CL / "correspondence/v.txt", "vuelta con dátiles\n")
    wait_for(lambda: f"{CL}/correspondence/v.txt" in found(root, "datiles"), 20)


def test_staff_change_revalidates_every_client(root, running):
    staff = (root / "staff.yaml").read_text()
    write(root / "staff.yaml", staff.replace(
        "login: cruiz, department: commercial, role: member,\n     status: active",
        "login: cruiz, department: commercial, role: member,\n     status: departed,"
        " left_on: 2026-11-01"))

    def has_error():
        results = Catalog(root / ".archive/state.db").validation()
        return any(p["rule"] == "contact-left" for p in results.get("CL-0001", []))

    wait_for(has_error, 15, "contact-left recorded for CL-0001")


def test_a_stale_editor_lock_no_longer_holds_its_document(root, running, caplog):
    corr = root / CL / "correspondence"
    lock = corr / ".~lock.abandonado.txt#"
    lock.write_text(",usuario,equipo,01.11.2026 10:00,file:///home/usuario/.config;")
    two_days_ago = time.time() - 2 * 86400
    os.utime(lock, (two_days_ago, two_days_ago))
    write(corr / "abandonado.txt", "documento con nísperos\n")
    wait_for(lambda: f"{CL}/correspondence/abandonado.txt" in found(root, "nisperos"), 15)
    assert any("taken as left behind by an editor" in r.getMessage() for r in caplog.records)
    assert running.debouncer.oldest_age() >= 0
