"""The archive's OS permissions (design §7) as real accounts meet them: who can list,
read and write what after `apply`, what `drift` sees, and links left alone."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
from conftest import Run, write

from archive_tool.archive import Archive
from archive_tool.errors import AccessDenied, NotFound
from archive_tool.oversight import permission_plan
from archive_tool.permissions import ArchivePlan, apply, drift, plan_archive
from archive_tool.records import Roster, client_folders, load_client

ROLES = ("svc", "adm", "ana", "bea", "carl", "dan", "nob")  # nob: an account, not staff
GHOST = "ghost-without-account"

STAFF = """\
staff:
  - {{id: E-001, name: Admin, login: {adm}, department: information, role: admin,
     status: active}}
  - {{id: E-010, name: Ana, login: {ana}, department: commercial, role: member,
     status: active}}
  - {{id: E-011, name: Bea, login: {bea}, department: legal, role: member, status: active}}
  - {{id: E-012, name: Carl, login: {carl}, department: finance, role: member,
     status: active}}
  - {{id: E-013, name: Dan, login: {dan}, department: commercial, role: member,
     status: {dan_status}}}
  - {{id: E-020, name: Ghost, login: {ghost}, department: commercial, role: member,
     status: active}}
"""
ALPHA = """\
id: CL-0001
name: Alfa Envases, S.L.
category: supplier
status: active
contacts:
  - {staff: E-010, role: primary}
  - {staff: E-013, role: backup}
  - {staff: E-020, role: backup}
access: {departments: [legal]}
"""
BETA = """\
id: CL-0002
name: Beta Banca, S.A.
category: special
special_type: bank
status: active
contacts:
  - {staff: E-012, role: primary}
"""
SECRET = """\
date: 2026-03-04
kind: letter
staff: [E-010]
subject: Carta reservada
attachments: [2026-03-04-reservada.pdf]
confidential: true
"""
CALL = "date: 2026-03-05\nkind: call\nstaff: [E-011]\nsubject: Llamada\n"

ALFA = "clients/CL-0001-alfa"
SECRET_PATH = f"{ALFA}/correspondence/2026-03-04-reservada.yaml"
ATTACHMENT = f"{ALFA}/correspondence/2026-03-04-reservada.pdf"
CALL_PATH = f"{ALFA}/correspondence/2026-03-05-llamada.yaml"


@pytest.fixture(scope="module")
def accounts():
    if os.geteuid() != 0:
        pytest.skip("needs root to create test accounts and change owners")
    if not (shutil.which("setfacl") and shutil.which("getfacl")):
        pytest.skip("setfacl/getfacl missing (the acl package)")
    tag = uuid.uuid4().hex[:5]
    names = {role: f"p{tag}{role}" for role in ROLES}
    try:
        for name in names.values():
            subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin",
                            name], check=True, capture_output=True)
        yield names
    finally:
        for name in names.values():
            subprocess.run(["userdel", name], check=False, capture_output=True)


@pytest.fixture
def base():
    """A folder the test accounts can pass through (unlike /tmp/pytest-of-root)."""
    folder = Path(tempfile.mkdtemp(prefix="archive-perm-", dir="/var/tmp"))
    folder.chmod(0o711)
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


@pytest.fixture
def root(base: Path, accounts: dict[str, str]) -> Path:
    r = base / "arch"
    write(r / "archive.yaml", "name: Permisos\ndemo: false\n")
    write_staff(r, accounts)
    write(r / f"{ALFA}/client.yaml", ALPHA)
    write(r / SECRET_PATH, SECRET)
    write(r / ATTACHMENT, b"%PDF-1.4 reservado\n")
    write(r / CALL_PATH, CALL)
    write(r / f"{ALFA}/reports/2025/annual-report.pdf", b"%PDF-1.4 informe\n")
    write(r / "clients/CL-0002-beta/client.yaml", BETA)
    write(r / "templates/aviso-cambio-contacto.txt", "Estimado cliente:\n")
    write(r / ".archive/state.db", b"")
    for dirpath, _, files in os.walk(r):
        Path(dirpath).chmod(0o755)
        for name in files:
            (Path(dirpath) / name).chmod(0o644)
    return r


def write_staff(r: Path, accounts: dict[str, str], dan_status: str = "active") -> None:
    write(r / "staff.yaml", STAFF.format(**accounts, dan_status=dan_status, ghost=GHOST))


def plan(r: Path, accounts: dict[str, str] | None, only: set[str] | None = None
         ) -> ArchivePlan:
    clients = [load_client(r, cid, folder) for cid, folder in client_folders(r)]
    return plan_archive(r, clients, Roster.load(r), accounts["svc"] if accounts else None,
                        only)


def can(login: str, *command: str | Path) -> bool:
    done = subprocess.run(["runuser", "-u", login, "--", *map(str, command)], cwd="/",
                          capture_output=True, check=False, timeout=60)
    return done.returncode == 0


def uid(login: str) -> int:
    return pwd.getpwnam(login).pw_uid


def test_each_account_gets_what_the_rules_say(root, accounts):
    apply(plan(root, accounts))
    a = accounts
    staff = ("adm", "ana", "bea", "carl", "dan")
    for role in (*staff, "nob"):
        may = role in staff
        assert can(a[role], "ls", root) == may, role
        assert can(a[role], "ls", root / "clients") == may, role
        assert can(a[role], "cat", root / "archive.yaml") == may, role
        assert can(a[role], "cat", root / "staff.yaml") == may, role
        assert can(a[role], "cat", root / "templates/aviso-cambio-contacto.txt") == may, role
        assert not can(a[role], "ls", root / ".archive"), role
        may_alfa = role in ("adm", "ana", "bea", "dan")
        assert can(a[role], "cat", root / ALFA / "client.yaml") == may_alfa, role
        assert can(a[role], "ls", root / ALFA / "reports/2025") == may_alfa, role
        assert can(a[role], "touch", root / ALFA / f"nota-{role}.txt") == may_alfa, role
        assert can(a[role], "cat", root / "clients/CL-0002-beta/client.yaml") == (
            role in ("adm", "carl")), role
    assert can(a["adm"], "touch", root / "archive.yaml")
    assert not can(a["ana"], "touch", root / "archive.yaml")
    assert can(a["adm"], "mkdir", root / "clients/CL-0003-nuevo")
    assert not can(a["ana"], "mkdir", root / "clients/CL-0004-otro")
    assert can(a["svc"], "ls", root / ".archive")
    state = root / ".archive"
    assert (state.stat().st_uid, stat.S_IMODE(state.stat().st_mode)) == (uid(a["svc"]), 0o700)
    assert "user:" not in subprocess.run(["getfacl", "-cp", str(state)], capture_output=True,
                                         text=True, check=True).stdout.replace("user::", "")
    assert {p.lstat().st_uid for p in (root / ALFA).rglob("*")
            if not p.name.startswith("nota-")} == {uid(a["svc"])}


def test_new_files_inherit_the_folder_permissions(root, accounts):
    apply(plan(root, accounts))
    folder = root / ALFA / "correspondence"
    assert can(accounts["svc"], "sh", "-c", f"umask 077; echo hola > {folder}/del-servicio.txt"
               f" && mkdir {folder}/sub && echo x > {folder}/sub/dentro.txt")
    (folder / "de-root.txt").write_text("escrito por root\n")  # created 0666, as Python does
    for name in ("del-servicio.txt", "sub/dentro.txt", "de-root.txt"):
        assert can(accounts["ana"], "cat", folder / name), name
        assert not can(accounts["carl"], "cat", folder / name), name
    assert can(accounts["bea"], "touch", folder / "sub/de-bea.txt")


def test_apply_twice_changes_nothing(root, accounts):
    assert apply(plan(root, accounts))
    assert apply(plan(root, accounts)) == []
    assert drift(plan(root, accounts)) == []


def test_departed_and_reassigned_people_lose_access(root, accounts):
    record = root / ALFA / "client.yaml"
    apply(plan(root, accounts))
    assert can(accounts["dan"], "cat", record) and not can(accounts["carl"], "cat", record)
    write_staff(root, accounts, dan_status="departed")
    record.write_text(ALPHA.replace("E-010, role: primary", "E-012, role: primary"))
    changed = apply(plan(root, accounts))
    assert any(line.startswith(ALFA) for line in changed)
    for gone in ("dan", "ana"):
        assert not can(accounts[gone], "cat", record), gone
        assert not can(accounts[gone], "ls", root / ALFA), gone
        assert not can(accounts[gone], "cat", root / CALL_PATH), gone
    assert not can(accounts["dan"], "cat", root / "staff.yaml")
    assert can(accounts["ana"], "cat", root / "staff.yaml")  # still staff, another client
    assert can(accounts["carl"], "cat", record)


def test_confidential_entry_and_attachment_only_for_admins_and_its_staff(root, accounts):
    apply(plan(root, accounts))
    for role in ("adm", "ana", "bea", "dan", "carl", "nob"):
        may = role in ("adm", "ana")
        assert can(accounts[role], "cat", root / SECRET_PATH) == may, role
        assert can(accounts[role], "cat", root / ATTACHMENT) == may, role
    assert can(accounts["bea"], "cat", root / CALL_PATH)
    alfa = next(f for f in plan(root, accounts).folders if f.client_id == "CL-0001")
    assert alfa.confidential == {SECRET_PATH: [accounts["adm"], accounts["ana"]],
                                 ATTACHMENT: [accounts["adm"], accounts["ana"]]}
    subprocess.run(["setfacl", "-m", f"u:{accounts['bea']}:r--", str(root / ATTACHMENT)],
                   check=True)
    assert drift(plan(root, accounts)) == [
        f"{ATTACHMENT}: user {accounts['bea']} has r--, should have ---"]


def test_drift_reads_effective_rights_owners_other_and_defaults(root, accounts):
    a = accounts
    apply(plan(root, accounts))
    assert drift(plan(root, accounts)) == []
    subprocess.run(["setfacl", "-m", "m::---", str(root / ALFA / "client.yaml")], check=True)
    subprocess.run(["setfacl", "-m", f"u:{a['nob']}:rwx", str(root / ALFA)], check=True)
    os.chown(root / CALL_PATH, uid(a["nob"]), -1)
    (root / "staff.yaml").chmod(0o604)
    subprocess.run(["setfacl", "-k", str(root / ALFA / "reports")], check=True)
    found = drift(plan(root, accounts))
    for line in (
            f"{ALFA}/client.yaml: user {a['ana']} has --- (granted rw-, cut by the mask),"
            " should have rw-",
            f"{ALFA}: user {a['nob']} has rwx, should have ---",
            f"{CALL_PATH}: owned by {a['nob']}, should be owned by {a['svc']}",
            "staff.yaml: everyone else has r--, should have ---",
            f"{ALFA}/reports: no default ACL, so new files here would not get these"
            " permissions"):
        assert line in found
    assert not can(a["ana"], "cat", root / ALFA / "client.yaml")
    apply(plan(root, accounts))
    assert drift(plan(root, accounts)) == []
    assert can(a["ana"], "cat", root / ALFA / "client.yaml")


def test_links_are_never_followed(root, base, accounts):
    outside = base / "outside"
    write(outside / "secreto.txt", "fuera del archivo\n").chmod(0o600)
    write(outside / "compartido.txt", "otro nombre\n").chmod(0o600)
    outside.chmod(0o700)
    (root / ALFA / "atajo").symlink_to(outside / "secreto.txt")
    (root / ALFA / "enlace-duro.txt").hardlink_to(outside / "compartido.txt")
    (root / ALFA / "correspondence/carpeta").symlink_to(outside)
    shutil.rmtree(root / "templates")
    (root / "templates").symlink_to(outside)

    def state(path: Path) -> tuple:
        acl = subprocess.run(["getfacl", "-cp", str(path)], capture_output=True, text=True,
                             check=True).stdout
        st = path.lstat()
        return acl, st.st_uid, st.st_mode

    before = [state(outside / name) for name in (".", "secreto.txt", "compartido.txt")]
    links = [state(root / "templates"), state(root / ALFA / "atajo")]
    apply(plan(root, accounts))
    assert [state(outside / name) for name in (".", "secreto.txt", "compartido.txt")] == before
    assert [(root / "templates").lstat().st_uid, (root / ALFA / "atajo").lstat().st_uid] == [
        link[1] for link in links]
    assert not can(accounts["ana"], "cat", root / ALFA / "atajo")
    found = drift(plan(root, accounts))
    assert sorted(line.partition(":")[0] for line in found) == [
        f"{ALFA}/atajo", f"{ALFA}/correspondence/carpeta", f"{ALFA}/enlace-duro.txt",
        "templates"]
    assert f"{ALFA}/enlace-duro.txt: a file with 2 names (hard links), left alone" in "".join(
        found)
    assert sum("a symbolic link, left alone" in line for line in found) == 3


def test_a_folder_claiming_a_taken_id_gains_nothing(root, accounts):
    copy = root / "clients/CL-0001-copia"
    write(copy / "client.yaml", ALPHA.replace("E-010, role: primary", "E-012, role: primary"))
    apply(plan(root, accounts))
    for record in (root / ALFA / "client.yaml", copy / "client.yaml"):
        assert not can(accounts["carl"], "cat", record), record
        assert can(accounts["adm"], "cat", record), record
    assert can(accounts["bea"], "cat", root / ALFA / "client.yaml")  # both claims allow her


def test_only_the_named_client_folders(root, accounts):
    p = plan(root, accounts, only={"CL-0002-beta"})
    assert [part.top for part in p.parts] == ["clients/CL-0002-beta"]
    assert [f.client_id for f in p.folders] == ["CL-0002"]
    apply(p)
    assert (root / "clients/CL-0002-beta/client.yaml").stat().st_uid == uid(accounts["svc"])
    assert (root / ALFA / "client.yaml").stat().st_uid == 0
    assert (root / "staff.yaml").stat().st_uid == 0


def test_staff_without_an_account_are_skipped_and_reported(root, accounts):
    p = plan(root, accounts)
    assert p.skipped == [GHOST]
    alfa = next(f for f in p.folders if f.client_id == "CL-0001")
    assert alfa.skipped == [GHOST]
    assert alfa.logins == sorted(accounts[r] for r in ("adm", "ana", "bea", "dan"))
    apply(p)
    assert drift(p) == []


def test_without_a_service_owners_and_state_stay(root, accounts):
    apply(plan(root, None))
    assert {p.lstat().st_uid for p in root.rglob("*")} == {0}
    assert stat.S_IMODE((root / ".archive").stat().st_mode) == 0o755
    assert can(accounts["ana"], "cat", root / ALFA / "client.yaml")
    assert not can(accounts["carl"], "cat", root / ALFA / "client.yaml")
    assert drift(plan(root, None)) == []


def test_an_unknown_service_account_is_refused(root):
    clients = [load_client(root, cid, folder) for cid, folder in client_folders(root)]
    with pytest.raises(NotFound, match="does not exist"):
        plan_archive(root, clients, Roster.load(root), "no-such-service-account")


def test_cli_apply_and_check_as_root_and_refused_to_members(root, accounts):
    run = Run(root)  # root (uid 0) is not in staff.yaml: it acts as the system
    applied = run("--json", "permissions", "apply")
    assert applied.exit_code == 0, applied.output
    assert any(line.startswith(ALFA) for line in json.loads(applied.output)["changed"])
    checked = run("permissions", "check")
    assert (checked.exit_code, checked.output) == (0, "no drift\n")
    subprocess.run(["setfacl", "-m", f"u:{accounts['nob']}:r", str(root / "archive.yaml")],
                   check=True)
    drifted = run("permissions", "check")
    assert drifted.exit_code == 1
    assert drifted.output == f"archive.yaml: user {accounts['nob']} has r--, should have ---\n"
    with pytest.raises(AccessDenied) as denied:
        permission_plan(Archive(root, login=accounts["ana"]), None)
    assert denied.value.exit_code == 3
