"""The archive's integrity against people with a shell on the share: no symbolic link
is ever followed, every written file takes its folder's permissions, a second folder
claiming a client id gains nothing, and the version store cannot fill the disk."""

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import CLIENT, archive, write

from archive_tool.checking import validate
from archive_tool.config import Settings
from archive_tool.errors import AccessDenied, InvalidInput
from archive_tool.extract import extract_in
from archive_tool.files import (
    UnsafePath,
    copy_into,
    file_in,
    folder_fd,
    open_in,
    read_in,
    stat_in,
    walk_in,
    write_atomic,
    write_in,
)
from archive_tool.finding import search
from archive_tool.reconcile import scan, sha256_in
from archive_tool.records import Roster, client_folders, load_client, load_clients
from archive_tool.syncing import update_index
from archive_tool.versions import KeptMany, NotKept, VersionStore

CL = "clients/CL-0001-levante"
SECRET = "zafiro confidencial"
LINK_ERROR = "is a symbolic link; the archive never follows links"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file outside the archive that a planted link points at."""
    return write(tmp_path / "outside/secret.yaml",
                 f"id: CL-0001\nname: {SECRET}\ncategory: supplier\n")


# --- files: never through a link ---------------------------------------------------

def test_write_in_and_read_in(root):
    write_in(root, f"{CL}/correspondence/a.txt", "uno\n", exclusive=True)
    assert read_in(root, f"{CL}/correspondence/a.txt") == b"uno\n"
    with pytest.raises(FileExistsError):
        write_in(root, f"{CL}/correspondence/a.txt", b"dos\n", exclusive=True)
    write_in(root, f"{CL}/correspondence/a.txt", b"dos\n", exclusive=False)
    assert (root / CL / "correspondence/a.txt").read_bytes() == b"dos\n"
    with file_in(root, f"{CL}/correspondence/a.txt") as f:
        copy_into(root, f"{CL}/reports/2025/copia.txt", f, parents=True)
    assert (root / CL / "reports/2025/copia.txt").read_bytes() == b"dos\n"
    assert [p.name for p in (root / CL / "correspondence").iterdir()] == ["a.txt"]


def test_symlinked_intermediate_folder_is_refused_for_reading_and_writing(root, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere / "staff.yaml", "original\n")
    (root / "clients/CL-0009-trampa").symlink_to(elsewhere)
    rel = "clients/CL-0009-trampa/staff.yaml"
    for attempt in (lambda: read_in(root, rel),
                    lambda: write_in(root, rel, "pisado\n", exclusive=False),
                    lambda: write_in(root, rel, "pisado\n", exclusive=True),
                    lambda: open_in(root, rel),
                    lambda: stat_in(root, rel),
                    lambda: folder_fd(root, "clients/CL-0009-trampa")):
        with pytest.raises(UnsafePath) as caught:
            attempt()
        assert str(caught.value) == f"clients/CL-0009-trampa {LINK_ERROR}"
    assert (elsewhere / "staff.yaml").read_text() == "original\n"
    assert [rel for rel, st in walk_in(root, "clients") if stat.S_ISLNK(st.st_mode)] == [
        "clients/CL-0009-trampa"]  # listed, not entered
    assert not any(rel.startswith("clients/CL-0009-trampa/") for rel, _ in walk_in(root, ""))


def test_link_as_the_last_component_is_read_never_and_replaced_not_followed(root, outside):
    link = root / CL / "correspondence/nota.txt"
    link.symlink_to(outside)
    with pytest.raises(UnsafePath, match=f"^{CL}/correspondence/nota.txt {LINK_ERROR}$"):
        read_in(root, f"{CL}/correspondence/nota.txt")
    with pytest.raises(FileExistsError):
        write_in(root, f"{CL}/correspondence/nota.txt", "nuevo\n", exclusive=True)
    write_in(root, f"{CL}/correspondence/nota.txt", "nuevo\n", exclusive=False)
    assert not link.is_symlink() and link.read_text() == "nuevo\n"
    assert SECRET in outside.read_text()


def test_unsafe_path_is_an_archive_error_and_an_os_error(root, outside):
    (root / CL / "correspondence/x.txt").symlink_to(outside)
    with pytest.raises(InvalidInput):
        read_in(root, f"{CL}/correspondence/x.txt")
    with pytest.raises(OSError, match="never follows links"):
        read_in(root, f"{CL}/correspondence/x.txt")


def test_a_pipe_is_refused_without_blocking_and_reported(root):
    os.mkfifo(root / CL / "correspondence/tubo.txt")
    with pytest.raises(UnsafePath, match="is not a regular file"):
        read_in(root, f"{CL}/correspondence/tubo.txt")
    assert (f"{CL}/correspondence/tubo.txt", "not-regular") in {
        (p.path, p.rule) for p in validate(archive(root))}


@pytest.mark.parametrize("bad", ["../secret", "/etc/passwd", "clients/../../x", ""])
def test_paths_leaving_the_root_are_refused(root, bad):
    with pytest.raises(InvalidInput):
        write_in(root, bad, "x", exclusive=True)


def test_missing_file_names_its_path(root):
    with pytest.raises(FileNotFoundError) as caught:
        read_in(root, f"{CL}/correspondence/nada.txt")
    assert caught.value.filename == f"{CL}/correspondence/nada.txt"


# --- file modes: the folder's default ACL decides ------------------------------------

def _effective(path: Path, user: str) -> str:
    """The rights getfacl says user effectively has on path."""
    out = subprocess.run(["getfacl", "-p", str(path)], capture_output=True, text=True,
                         check=True).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith(f"user:{user}:"))
    return line.split("#effective:")[1].strip() if "#effective:" in line else line.split(
        ":")[2].strip()


@pytest.fixture
def acl_folder(tmp_path: Path) -> Path:
    if not shutil.which("setfacl"):
        pytest.skip("setfacl is not installed (the acl package)")
    folder = tmp_path / "shared"
    folder.mkdir()
    done = subprocess.run(["setfacl", "-d", "-m", "u:nobody:rwx", str(folder)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("this file system does not support ACLs")
    return folder


def test_written_files_keep_the_folders_default_acl(acl_folder, tmp_path):
    write_atomic(acl_folder / "a.yaml", "a: 1\n")
    write_atomic(acl_folder / "b.yaml", "b: 1\n", exclusive=True)
    write_in(acl_folder, "c.txt", b"c", exclusive=False)
    write_in(acl_folder, "sub/d.txt", b"d", exclusive=True, parents=True)
    with (acl_folder / "c.txt").open("rb") as f:
        copy_into(acl_folder, "e.txt", f)
    for name in ("a.yaml", "b.yaml", "c.txt", "sub", "sub/d.txt", "e.txt"):
        assert "rw" in _effective(acl_folder / name, "nobody"), name


# --- records: a link where a record should be is a problem, never read ----------------

def test_symlinked_client_folder_is_not_a_client(root, tmp_path):
    other = tmp_path / "otra"
    write(other / "client.yaml", CLIENT.replace("CL-0001", "CL-0009"))
    (root / "clients/CL-0009-enlace").symlink_to(other)
    assert [cid for cid, _ in client_folders(root)] == ["CL-0001"]
    assert [c.id for c in load_clients(root)] == ["CL-0001"]
    problem = load_client(root, "CL-0009", root / "clients/CL-0009-enlace").problems
    assert [(p.path, p.rule) for p in problem] == [("clients/CL-0009-enlace", "symlink")]


def test_symlinked_client_record_is_never_read(root, outside):
    record = root / CL / "client.yaml"
    record.unlink()
    record.symlink_to(outside)
    client = load_client(root, "CL-0001", root / CL)
    assert client.data == {}
    assert [(p.path, p.rule, p.severity) for p in client.problems] == [
        (f"{CL}/client.yaml", "symlink", "error")]
    a = archive(root)
    update_index(a)
    assert a.catalog.record("CL-0001") is None  # nothing of it reached the journal
    assert a.catalog.journal("CL-0001") == []
    assert search(a, "zafiro")[0].total == 0
    assert ("symlink", f"{CL}/client.yaml") in {(p.rule, p.path) for p in validate(a)}


def test_symlinked_entry_and_attachment_are_problems_not_content(root, outside):
    folder = root / CL / "correspondence"
    (folder / "2026-03-04-robada.yaml").symlink_to(outside)
    write(folder / "2026-03-05-nota.yaml",
          "date: 2026-03-05\nkind: note\nsubject: Nota\nattachments: [adjunto.txt]\n")
    write(outside.parent / "adjunto.txt", f"{SECRET}\n")
    (folder / "adjunto.txt").symlink_to(outside.parent / "adjunto.txt")
    client = load_client(root, "CL-0001", root / CL)
    assert [e.relpath for e in client.entries] == [f"{CL}/correspondence/2026-03-05-nota.yaml"]
    assert client.correspondence_files() == ["2026-03-05-nota.yaml"]
    a = archive(root)
    update_index(a)
    assert search(a, "zafiro")[0].total == 0
    found = {(p.path, p.rule) for p in validate(a)}
    assert {(f"{CL}/correspondence/2026-03-04-robada.yaml", "symlink"),
            (f"{CL}/correspondence/adjunto.txt", "symlink")} <= found
    assert not any(rule == "attachment-missing" for _, rule in found)
    assert sorted(scan(root, root / CL, ())) == [f"{CL}/client.yaml",
                                                  f"{CL}/correspondence/2026-03-05-nota.yaml"]
    assert LINK_ERROR in extract_in(root, f"{CL}/correspondence/adjunto.txt").problem
    with pytest.raises(UnsafePath):
        sha256_in(root, f"{CL}/correspondence/adjunto.txt")


def test_symlinked_correspondence_folder_lends_no_entries(root):
    write(root / "clients/CL-0002-real/correspondence/2026-03-04-x.yaml",
          f"date: 2026-03-04\nkind: note\nsubject: {SECRET}\n")
    write(root / "clients/CL-0002-real/client.yaml", CLIENT.replace("CL-0001", "CL-0002")
          .replace("B46123451", "B46123469"))
    shutil.rmtree(root / CL / "correspondence")
    (root / CL / "correspondence").symlink_to(root / "clients/CL-0002-real/correspondence")
    client = load_client(root, "CL-0001", root / CL)
    assert client.entries == [] and client.correspondence_files() == []
    assert ("symlink", f"{CL}/correspondence") in {(p.rule, p.path)
                                                  for p in validate(archive(root))}


def test_symlinked_staff_roster_grants_nobody(root, tmp_path):
    real = write(tmp_path / "staff.yaml", (root / "staff.yaml").read_text())
    (root / "staff.yaml").unlink()
    (root / "staff.yaml").symlink_to(real)
    roster = Roster.load(root, check=True)
    assert roster.members == {}
    assert [(p.path, p.rule) for p in roster.problems] == [("staff.yaml", "symlink")]


# --- versions: kept and restored never through a link --------------------------------

def _store(root: Path, max_bytes: int = 2**20) -> VersionStore:
    db = sqlite3.connect(root / ".archive/state.db", isolation_level=None)
    db.execute("CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, client_id TEXT,"
               " size INTEGER, mtime_ns INTEGER, inode INTEGER, sha256 TEXT,"
               " fields_hash TEXT, problem TEXT)")
    return VersionStore(root / ".archive/versions", db, root, max_bytes)


def test_restore_through_a_symlinked_client_folder_is_refused(root):
    """A member keeps a staff.yaml in their folder, then swaps the folder for a link to
    the root: writing that version back must not overwrite the roster."""
    (root / ".archive").mkdir()
    roster = (root / "staff.yaml").read_text()
    write(root / "clients/CL-0009-mio/staff.yaml", "staff: []\n")
    store = _store(root)
    version = store.keep(root / "clients/CL-0009-mio/staff.yaml",
                         "clients/CL-0009-mio/staff.yaml", "daemon", None)
    assert not isinstance(version, NotKept)
    shutil.rmtree(root / "clients/CL-0009-mio")
    (root / "clients/CL-0009-mio").symlink_to(root)
    with pytest.raises(UnsafePath, match=f"^clients/CL-0009-mio {LINK_ERROR}$"):
        store.write_back(version)
    with pytest.raises(UnsafePath):
        store.keep(root / "clients/CL-0009-mio/staff.yaml", "clients/CL-0009-mio/staff.yaml",
                   "restore", None)
    assert (root / "staff.yaml").read_text() == roster


def test_write_back_restores_a_deleted_file_and_folder(root):
    (root / ".archive").mkdir()
    write(root / CL / "reports/2025/annual-report.txt", "informe\n")
    store = _store(root)
    version = store.keep(root / CL / "reports/2025/annual-report.txt",
                         f"{CL}/reports/2025/annual-report.txt", "daemon", None)
    assert not isinstance(version, NotKept)
    shutil.rmtree(root / CL / "reports")
    store.write_back(version)
    assert (root / CL / "reports/2025/annual-report.txt").read_text() == "informe\n"


# --- the version store's size cap ------------------------------------------------------

def test_files_over_the_cap_are_not_kept_and_reported_once(root):
    (root / ".archive").mkdir()
    big = write(root / CL / "correspondence/grande.bin", b"x" * 101)
    small = write(root / CL / "correspondence/chico.bin", b"y" * 100)
    store = _store(root, max_bytes=100)
    skipped = store.keep(big, f"{CL}/correspondence/grande.bin", "checkin", None)
    assert skipped == NotKept(f"{CL}/correspondence/grande.bin", 101, 100)
    assert skipped.message == (f"{CL}/correspondence/grande.bin not kept as a version: 101"
                               " bytes is over the cap of 100 bytes"
                               " (policy.version_max_bytes)")
    assert store.history(f"{CL}/correspondence/grande.bin") == []
    assert not isinstance(store.keep(small, f"{CL}/correspondence/chico.bin", "checkin",
                                     None), NotKept)

    write(root / CL / "correspondence/otro.bin", b"z")
    sha_big = sha256_in(root, f"{CL}/correspondence/grande.bin")
    store.db.executemany("INSERT INTO files VALUES (?, 'CL-0001', 0, 0, 0, ?, '', NULL)",
                         [(f"{CL}/correspondence/grande.bin", sha_big),
                          (f"{CL}/correspondence/otro.bin",
                           sha256_in(root, f"{CL}/correspondence/otro.bin"))])
    items = [(root / path, path, sha, None) for path, sha in store.missing()]
    result = store.keep_many(items, "daemon")
    assert result == KeptMany(1, [NotKept(f"{CL}/correspondence/grande.bin", 101, 100)])
    assert store.missing() == []  # reported once, not at every pass
    assert sum(v.size for v in store.under(CL)) == 101  # chico.bin (100) and otro.bin (1)
    assert _store(root, max_bytes=200).missing() == [(f"{CL}/correspondence/grande.bin",
                                                      sha_big)]  # a higher cap: kept then


def test_version_cap_is_a_policy_setting(root):
    assert Settings.from_data({}).policy.version_max_bytes == 256 * 2**20
    write(root / "archive.yaml", "name: Test\ndemo: false\npolicy:\n"
          "  version_max_bytes: 1048576\n")
    a = archive(root)
    assert a.settings.policy.version_max_bytes == 2**20
    assert [p for p in validate(a) if p.path == "archive.yaml"] == []


# --- duplicate client ids gain nothing ---------------------------------------------

REAL = CLIENT.replace("CL-0001", "CL-0004").replace("B46123451", "A28000008").replace(
    "Suministros Levante, S.L.", "Banco Real, S.A.")


@pytest.fixture
def twin(root):
    """CL-0004 (folder CL-0004-real, contact E-010) and a folder a member (E-011,
    atorres) made claiming the same id with themself as contact."""
    write(root / "clients/CL-0004-real/client.yaml", REAL)
    write(root / "clients/CL-0004-real/correspondence/2026-03-04-oferta.yaml",
          f"date: 2026-03-04\nkind: note\nsubject: {SECRET}\n")
    write(root / "clients/CL-0004-a/client.yaml",
          REAL.replace("staff: E-010", "staff: E-011").replace("A28000008", "X0000000T"))
    update_index(archive(root))
    return root


def test_both_claiming_folders_get_a_duplicate_id_error(twin):
    found = [p for p in validate(archive(twin)) if p.rule == "duplicate-id"]
    assert sorted((p.path, p.severity) for p in found) == [
        ("clients/CL-0004-a/client.yaml", "error"),
        ("clients/CL-0004-real/client.yaml", "error")]
    by_path = {p.path: p.message for p in found}
    assert "clients/CL-0004-real" in by_path["clients/CL-0004-a/client.yaml"]
    assert "clients/CL-0004-a" in by_path["clients/CL-0004-real/client.yaml"]


def test_a_self_granted_twin_folder_gains_nothing(twin):
    from archive_tool import custody

    member = archive(twin, login="atorres")
    with pytest.raises(AccessDenied):
        member.client("CL-0004")
    assert "CL-0004" not in {c.id for c in member.visible_clients()}
    assert "CL-0004" not in (member.visibility().clients or set())
    assert search(member, "zafiro")[0].total == 0
    for attempt in (lambda: custody.versions(member, "clients/CL-0004-real/client.yaml"),
                    lambda: custody.restore(member, "clients/CL-0004-real/client.yaml",
                                            to=twin.parent / "robado.yaml")):
        with pytest.raises(AccessDenied):
            attempt()
    assert not (twin.parent / "robado.yaml").exists()


def test_twins_are_seen_by_admins_and_by_staff_every_claim_allows(twin):
    admin = archive(twin)
    assert {c.folder.name for c in admin.visible_clients() if c.id == "CL-0004"} == {
        "CL-0004-real", "CL-0004-a"}
    assert search(admin, "zafiro")[0].total == 1
    contact = archive(twin, login="cruiz")  # E-010: contact of the real folder only
    with pytest.raises(AccessDenied):
        contact.client("CL-0004")
    write(twin / "clients/CL-0004-a/client.yaml",
          REAL.replace("A28000004", "X0000000T")
          + "access: {staff: [E-011]}\n")
    write(twin / "clients/CL-0004-real/client.yaml", REAL + "access: {staff: [E-011]}\n")
    assert archive(twin, login="cruiz").client("CL-0004").id == "CL-0004"
    assert archive(twin, login="atorres").client("CL-0004").id == "CL-0004"


def test_load_clients_links_the_claims_of_one_id(twin):
    clients = {c.folder.name: c for c in load_clients(twin, check=False)}
    assert [r.folder.name for r in clients["CL-0004-a"].rivals] == ["CL-0004-real"]
    assert [r.folder.name for r in clients["CL-0004-real"].rivals] == ["CL-0004-a"]
    assert clients["CL-0001-levante"].rivals == []
    alone = load_client(twin, "CL-0004", twin / "clients/CL-0004-a")
    assert [r.folder.name for r in alone.rivals] == ["CL-0004-real"]


def test_folders_on_the_way_need_only_be_entered_not_read(tmp_path):
    """A folder people may enter but not list (mode 0711) still leads to the files in
    it, as a path would, for someone who is not root."""
    if os.geteuid() != 0 or not shutil.which("runuser"):
        pytest.skip("needs root and runuser to act as another account")
    base = Path(tempfile.mkdtemp(prefix="archive-tool-integrity-", dir="/var/tmp"))
    try:
        base.chmod(0o755)
        write(base / "clients/CL-0001-x/nota.txt", "hola\n").chmod(0o644)
        (base / "clients").chmod(0o711)
        (base / "clients/CL-0001-x").chmod(0o711)
        code = ("import sys; from pathlib import Path; from archive_tool.files import read_in;"
                " sys.stdout.write(read_in(Path(sys.argv[1]),"
                " 'clients/CL-0001-x/nota.txt').decode())")
        done = subprocess.run(["runuser", "-u", "nobody", "--", sys.executable, "-c", code,
                               str(base)], capture_output=True, text=True, check=False,
                              env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                                   "PYTHONPATH": str(Path(__file__).parent.parent)})
        if "No module named" in done.stderr or "Permission denied: '/" in done.stderr:
            pytest.skip(f"nobody cannot run this interpreter: {done.stderr.strip()}")
        assert (done.returncode, done.stdout) == (0, "hola\n"), done.stderr
    finally:
        shutil.rmtree(base)
