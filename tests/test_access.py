"""Who may see what: the access matrix through the library with injected identities,
then as real OS accounts through the CLI and the folders' ACLs."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
from conftest import REPO, TODAY, archive, write

from archive_tool import views
from archive_tool.access import os_login
from archive_tool.checking import validate
from archive_tool.custody import history
from archive_tool.errors import AccessDenied, NotFound
from archive_tool.filing import log
from archive_tool.finding import search
from archive_tool.oversight import audit_records
from archive_tool.syncing import update_index

STAFF = """\
staff:
  - {{id: E-001, name: Admin, login: {admin}, department: information, role: admin,
     status: active}}
  - {{id: E-010, name: Primary, login: {primary}, department: commercial, role: member,
     status: active}}
  - {{id: E-011, name: Backup, login: {backup}, department: commercial, role: member,
     status: active}}
  - {{id: E-012, name: Other, login: {other}, department: finance, role: member,
     status: active}}
  - {{id: E-013, name: Legal, login: {granted}, department: legal, role: member,
     status: active}}
  - {{id: E-014, name: Gone, login: {departed}, department: commercial, role: member,
     status: departed, left_on: 2026-06-30}}
"""

ALPHA = """\
id: CL-0001
name: Alfa Envases, S.L.
category: supplier
status: active
since: 2026-01-10
contacts:
  - {staff: E-010, role: primary}
  - {staff: E-011, role: backup}
access: {departments: [legal]}
"""
BETA = """\
id: CL-0002
name: Beta Banca, S.A.
category: special
special_type: bank
status: active
since: 2026-01-10
contacts:
  - {staff: E-012, role: primary}
"""
SECRET = """\
date: 2026-03-04
kind: letter
staff: [E-010]
subject: Carta reservada sobre zafiros
confidential: true
"""
OPEN = "date: 2026-03-05\nkind: call\nstaff: [E-011]\nsubject: Llamada sobre zafiros\n"

ROLES = ("admin", "primary", "backup", "other", "granted", "departed", "unknown")
# What each role may see: clients, and whether CL-0001's confidential letter.
SEES = {"admin": ({"CL-0001", "CL-0002"}, True), "primary": ({"CL-0001"}, True),
        "backup": ({"CL-0001"}, False), "other": ({"CL-0002"}, False),
        "granted": ({"CL-0001"}, False), "departed": (set(), False),
        "unknown": (set(), False)}


def make_archive(root: Path, logins: dict[str, str]) -> Path:
    write(root / "archive.yaml", "name: Matriz\ndemo: false\n")
    write(root / "staff.yaml", STAFF.format(**logins))
    write(root / "clients/CL-0001-alfa/client.yaml", ALPHA)
    write(root / "clients/CL-0001-alfa/correspondence/2026-03-04-reservada.yaml", SECRET)
    write(root / "clients/CL-0001-alfa/correspondence/2026-03-05-llamada.yaml", OPEN)
    write(root / "clients/CL-0002-beta/client.yaml", BETA)
    (root / "clients/CL-0002-beta/correspondence").mkdir()
    return root


LOGINS = {role: f"lib-{role}" for role in ROLES}
LOGINS["admin"] = os_login()


@pytest.fixture
def matrix(tmp_path):
    root = make_archive(tmp_path / "arch", LOGINS)
    update_index(archive(root))
    return root


def as_role(root, role):
    return archive(root, login=LOGINS[role])


def outcome(fn):
    try:
        fn()
        return "ok"
    except AccessDenied:
        return "denied"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("client_id", ["CL-0001", "CL-0002"])
def test_show_history_validate_log(matrix, role, client_id):
    allowed = client_id in SEES[role][0]
    expected = "ok" if allowed else "denied"
    a = as_role(matrix, role)
    assert outcome(lambda: views.describe(a, client_id)) == expected
    assert outcome(lambda: history(a, client_id)) == expected
    assert outcome(lambda: validate(a, [client_id])) == expected
    assert outcome(lambda: log(a, client_id, "note", "Nota de prueba",
                                 staff=["E-001"])) == expected


@pytest.mark.parametrize("role", ROLES)
def test_list_and_search(matrix, role):
    clients, confidential = SEES[role]
    a = as_role(matrix, role)
    if not clients:
        assert outcome(lambda: views.register(a)) == "denied"
        assert outcome(lambda: search(a, "zafiros")) == "denied"
        return
    assert {r["id"] for r in views.register(a)} == clients
    results, _ = search(a, "zafiros")
    paths = {h.path for h in results.hits}
    expected = set()
    if "CL-0001" in clients:
        expected.add("clients/CL-0001-alfa/correspondence/2026-03-05-llamada.yaml")
        if confidential:
            expected.add("clients/CL-0001-alfa/correspondence/2026-03-04-reservada.yaml")
    assert paths == expected
    assert results.total == len(expected)  # counts leak nothing either


@pytest.mark.parametrize("role", ["backup", "other", "granted"])
def test_confidential_entry_hidden_from_show(matrix, role):
    a = as_role(matrix, role)
    if "CL-0001" not in SEES[role][0]:
        return
    subjects = [e["subject"] for e in views.describe(a, "CL-0001")["entries"]]
    assert subjects == ["Llamada sobre zafiros"]


def test_search_never_suggests_what_the_caller_cannot_find(matrix):
    a = as_role(matrix, "other")  # sees only CL-0002, where "zafiros" never appears
    results, _ = search(a, "zafiro")
    assert results.total == 0 and results.suggestion is None
    admin_results, _ = search(as_role(matrix, "admin"), "zafirox")
    assert admin_results.suggestion == "zafiros"


def test_unknown_and_forbidden_ids_look_alike_to_members(matrix):
    a = as_role(matrix, "other")
    with pytest.raises(AccessDenied) as forbidden:
        a.client("CL-0001")
    with pytest.raises(AccessDenied) as unknown:
        a.client("CL-0999")
    assert str(forbidden.value).replace("CL-0001", "X") == str(unknown.value).replace(
        "CL-0999", "X")
    with pytest.raises(NotFound):
        as_role(matrix, "admin").client("CL-0999")


def test_reassignment_takes_effect_at_once(matrix):
    assert outcome(lambda: as_role(matrix, "other").client("CL-0001")) == "denied"
    from archive_tool import grants  # an admin's grant (a direct edit widens nothing)

    grants.grant(as_role(matrix, "admin"), "CL-0001", contacts=["E-012"])
    results, _ = search(as_role(matrix, "other"), "zafiros")  # no reindex in between
    assert {h.client_id for h in results.hits} == {"CL-0001"}


def test_in_the_service_what_a_member_sees_follows_each_change(matrix):
    from archive_tool import grants
    from archive_tool.archive import Archive, Shared
    from archive_tool.index.store import SearchIndex

    shared = Shared(SearchIndex(matrix / ".archive/index"))  # one service, many requests

    def found(role: str) -> set[str]:
        a = Archive(matrix, login=LOGINS[role], today=TODAY, shared=shared)
        return {h.client_id for h in search(a, "zafiros")[0].hits}

    assert found("other") == set()
    grants.grant(Archive(matrix, login=LOGINS["admin"], today=TODAY, shared=shared),
                 "CL-0001", contacts=["E-012"])
    assert found("other") == {"CL-0001"}
    grants.revoke(Archive(matrix, login=LOGINS["admin"], today=TODAY, shared=shared),
                  "CL-0001", contacts=["E-012"])
    assert found("other") == set()
    [record] = matrix.glob("clients/CL-0001-*/client.yaml")
    assert found("primary") == {"CL-0001"}
    record.write_text(record.read_text().replace("E-010", "E-099"))  # a direct edit
    assert found("primary") == set()


def test_in_the_service_a_departure_counts_from_the_next_request(matrix):
    """The service reads staff.yaml again when it changes, and only then."""
    from archive_tool.archive import Archive, Shared
    from archive_tool.index.store import SearchIndex

    shared = Shared(SearchIndex(matrix / ".archive/index"))

    def found(role: str) -> set[str]:
        a = Archive(matrix, login=LOGINS[role], today=TODAY, shared=shared)
        return {h.client_id for h in search(a, "zafiros")[0].hits}

    assert found("primary") == {"CL-0001"}
    before = Archive(matrix, login=LOGINS["admin"], today=TODAY, shared=shared).roster
    assert Archive(matrix, login=LOGINS["admin"], today=TODAY, shared=shared).roster is before
    staff = matrix / "staff.yaml"
    staff.write_text(staff.read_text().replace(
        "login: lib-primary, department: commercial, role: member,\n     status: active",
        "login: lib-primary, department: commercial, role: member,\n     status: departed,"
        " left_on: 2026-03-01"))
    with pytest.raises(AccessDenied, match="no longer has access"):
        found("primary")


def test_archive_yaml_is_never_read_through_a_link(matrix, tmp_path):
    """Like every file of the archive: a link in its place is one line naming it,
    and what it points at is not read."""
    elsewhere = tmp_path / "elsewhere.yaml"
    shutil.move(matrix / "archive.yaml", elsewhere)
    (matrix / "archive.yaml").symlink_to(elsewhere)
    result = subprocess.run([sys.executable, "-m", "archive_tool", "-A", str(matrix),
                             "client", "list"], capture_output=True, text=True,
                            cwd=REPO, check=False, env={**os.environ, "ARCHIVE_TOOL_LANG": "en"})
    assert result.returncode != 0 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "archive.yaml is a symbolic link" in line and "Traceback" not in line


def test_denials_and_reads_are_audited(matrix):
    with pytest.raises(AccessDenied):
        as_role(matrix, "other").client("CL-0001", "show")
    views.describe(as_role(matrix, "primary"), "CL-0001")
    records = audit_records(as_role(matrix, "admin"), client="CL-0001")
    assert [(r["login"], r["action"], r["outcome"]) for r in records][-2:] == [
        (LOGINS["other"], "show", "denied"), (LOGINS["primary"], "show", "ok")]


# --- real OS accounts ------------------------------------------------------------

def _can_run_as_others() -> str | None:
    if os.geteuid() != 0:
        return "needs root to create test accounts"
    if not (shutil.which("useradd") and shutil.which("runuser")):
        return "useradd/runuser missing"
    return None


@pytest.fixture(scope="module")
def accounts():
    reason = _can_run_as_others()
    if reason:
        pytest.skip(reason)
    tag = uuid.uuid4().hex[:6]
    names = {role: f"at{tag}{role[:4]}" for role in ROLES if role != "unknown"}
    names["unknown"] = f"at{tag}unkn"
    for name in names.values():
        subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        name], check=True, capture_output=True)
    try:
        yield names
    finally:
        for name in names.values():
            subprocess.run(["userdel", name], check=False, capture_output=True)


def run_as(login: str, root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp",
           "PYTHONPATH": str(REPO), "ARCHIVE_TOOL_LANG": "en"}
    return subprocess.run(["runuser", "-u", login, "--", sys.executable, "-m", "archive_tool",
                           "-A", str(root), "--json", *args], capture_output=True, text=True,
                          env=env, check=False, timeout=120)


def _open_up(root: Path) -> None:
    """Let the test accounts reach and use the test's archive (its parents: traverse)."""
    for parent in root.parents:
        if parent == Path("/"):
            break
        parent.chmod(parent.stat().st_mode | 0o001)
    for dirpath, _, filenames in os.walk(root):
        Path(dirpath).chmod(0o777)
        for f in filenames:
            (Path(dirpath) / f).chmod(0o666)


@pytest.fixture
def os_matrix(accounts):
    """The matrix archive with real accounts, in-process (no service); the admin is
    this (root) account, which may also change the folders' ACLs. Under /var/tmp:
    other accounts cannot reach pytest's own temporary folders."""
    logins = {**accounts, "admin": os_login()}
    base = Path(tempfile.mkdtemp(prefix="archive-tool-matrix-", dir="/var/tmp"))
    try:
        root = make_archive(base / "arch", logins)
        update_index(archive(root))
        _open_up(root)  # staff share the archive's state in-process
        probe = run_as(accounts["other"], root, "--help")
        if probe.returncode != 0:
            pytest.fail(f"test accounts cannot run {sys.executable}: {probe.stderr.strip()}"
                        " (.ci/run lets them reach the interpreter)")
        yield root, logins
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_matrix_as_real_accounts(os_matrix):
    root, accounts = os_matrix
    for role in ROLES:
        for client_id in ("CL-0001", "CL-0002"):
            result = run_as(accounts[role], root, "client", "show", client_id)
            allowed = client_id in SEES[role][0]
            assert result.returncode == (0 if allowed else 3), (role, client_id,
                                                                 result.stderr)
            if allowed:
                assert json.loads(result.stdout)["id"] == client_id
            else:
                assert result.stderr.startswith("error: ")
        searched = run_as(accounts[role], root, "search", "zafiros")
        clients, confidential = SEES[role]
        if not clients:
            assert searched.returncode == 3
            continue
        hits = json.loads(searched.stdout)["hits"] if searched.stdout else []
        expected = (2 if confidential else 1) if "CL-0001" in clients else 0
        assert len(hits) == expected, (role, hits)
    verify = run_as(accounts["admin"], root, "audit", "--verify")
    assert verify.returncode == 0, verify.stdout


def test_acls_make_direct_access_obey_the_rules(os_matrix):
    if not shutil.which("setfacl"):
        pytest.skip("setfacl is not installed (.ci/run installs the acl package)")
    root, logins = os_matrix
    assert run_as(logins["primary"], root, "permissions", "apply").returncode == 3
    applied = run_as(logins["admin"], root, "permissions", "apply")
    assert applied.returncode == 0, applied.stderr
    record = root / "clients/CL-0001-alfa/client.yaml"
    for role in ROLES:
        read = subprocess.run(["runuser", "-u", logins[role], "--", "cat", str(record)],
                              capture_output=True, check=False)
        may = role in ("admin", "primary", "backup", "granted")
        assert (read.returncode == 0) == may, role
    check = run_as(logins["admin"], root, "permissions", "check")
    assert check.returncode == 0, check.stdout
    subprocess.run(["setfacl", "-m", f"u:{logins['other']}:rwx", str(record.parent)],
                   check=True)
    drifted = run_as(logins["admin"], root, "permissions", "check")
    assert drifted.returncode == 1
    assert json.loads(drifted.stdout)["drift"] == [
        f"clients/CL-0001-alfa: user {logins['other']} has rwx, should have ---"]
    audit = [r["action"] for r in json.loads(run_as(logins["admin"], root, "audit").stdout)[
        "records"]]
    assert "permissions-apply" in audit and "permissions-check" in audit


def test_confidential_files_leak_through_no_custody_command(matrix, tmp_path):
    from archive_tool import custody

    secret = "clients/CL-0001-alfa/correspondence/2026-03-04-reservada.yaml"
    backup = as_role(matrix, "backup")  # sees CL-0001, not its confidential letter
    out = custody.checkout(backup, "CL-0001", [], tmp_path / "out", False, None, None)
    assert secret not in {c.path for c in out}
    assert not (tmp_path / "out/CL-0001-alfa/correspondence/2026-03-04-reservada.yaml"
                ).exists()
    with pytest.raises(NotFound):
        custody.checkout(backup, "CL-0001", ["correspondence/2026-03-04-reservada.yaml"],
                         tmp_path / "again", False, None, None)
    with pytest.raises(NotFound):
        custody.versions(backup, secret)
    with pytest.raises(NotFound):
        custody.restore(backup, secret, None, tmp_path / "copia.yaml")
    assert not (tmp_path / "copia.yaml").exists()
    assert custody.versions(as_role(matrix, "primary"), secret)  # the letter's staff may
