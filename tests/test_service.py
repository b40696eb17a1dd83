"""The archive service as a small company deploys it: real OS accounts, `setup` as
root, the service under its own account with the three capabilities the systemd
unit gives it, staff using the CLI and the shared folder with a shell.

One archive and one service for the module; each test tells one part of the story
and leaves the archive usable for the next.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import REPO

CAPS = "+fowner,+chown,+dac_read_search"
ROLES = ("svc", "admin", "ana", "pedro", "luis", "gone", "outsider")

STAFF = """\
staff:
  - {{id: E-001, name: Isabel Admin, login: {admin}, department: information, role: admin,
     status: active}}
  - {{id: E-010, name: Ana Ruiz, login: {ana}, department: commercial, role: member,
     status: active}}
  - {{id: E-011, name: Pedro Gil, login: {pedro}, department: commercial, role: member,
     status: active}}
  - {{id: E-012, name: Luis Mora, login: {luis}, department: finance, role: member,
     status: active}}
  - {{id: E-013, name: Gonzalo Paz, login: {gone}, department: commercial, role: member,
     status: active}}
"""
LEVANTE = """\
id: CL-0001
name: Suministros Levante, S.L.
category: supplier
status: active
since: 2026-01-10
contacts:
  - {staff: E-010, role: primary}
  - {staff: E-011, role: backup}
  - {staff: E-013, role: backup}
"""
BANCO = """\
id: CL-0002
name: Banco del Turia, S.A.
category: special
special_type: bank
status: active
since: 2026-02-01
contacts:
  - {staff: E-012, role: primary}
"""
SECRET = """\
date: 2026-03-04
kind: letter
staff: [E-010]
subject: Carta reservada sobre zafiros
confidential: true
attachments: [reservada.txt]
"""


def _skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root to create accounts and run the service as one"
    for tool in ("useradd", "runuser", "setpriv", "setfacl"):
        if shutil.which(tool) is None:
            return f"{tool} is missing (.ci/run installs it)"
    return None


def wait_for(check, timeout: float = 10.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


class Team:
    def __init__(self, root: Path, socket: Path, logins: dict[str, str]):
        self.root = root
        self.socket = socket
        self.login = logins
        self.daemon: subprocess.Popen | None = None
        self.log = root.parent / "service.log"

    def env(self) -> dict[str, str]:
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp",
                "PYTHONPATH": str(REPO), "ARCHIVE_TOOL_LANG": "en", "LANG": "C.UTF-8"}

    def cli(self, role: str, *args: str, cwd: Path | None = None,
            json_out: bool = True) -> subprocess.CompletedProcess:
        """archive-tool as the role's OS account."""
        command = [sys.executable, "-m", "archive_tool", "-A", str(self.root),
                   *(["--json"] if json_out else []), *args]
        if role != "root":
            command = ["runuser", "-u", self.login[role], "--", *command]
        return subprocess.run(command, capture_output=True, text=True, env=self.env(),
                              cwd=cwd or "/tmp", check=False, timeout=120)

    def shell(self, role: str, *command: str) -> subprocess.CompletedProcess:
        """A plain command as the role, as someone with a shell on the file server."""
        return subprocess.run(["runuser", "-u", self.login[role], "--", *command],
                              capture_output=True, text=True, check=False, timeout=60)

    def start(self) -> None:
        svc = self.login["svc"]
        with self.log.open("ab") as log:
            self.daemon = self._spawn(svc, log)
        wait_for(lambda: self.cli("admin", "status").returncode == 0 or self._died(),
                 30, "the service to answer")
        if self._died():
            pytest.fail(f"the service exited: {self.log.read_text()[-2000:]}")

    def _spawn(self, svc: str, log) -> subprocess.Popen:
        return subprocess.Popen(
            ["setpriv", "--reuid", svc, "--regid", svc, "--init-groups",
             "--inh-caps", CAPS, "--ambient-caps", CAPS, "--",
             sys.executable, "-m", "archive_tool", "-A", str(self.root), "daemon",
             "--quiet-period", "0.1"],
            env=self.env(), cwd="/", stdout=log, stderr=subprocess.STDOUT)

    def _died(self) -> bool:
        return self.daemon is not None and self.daemon.poll() is not None

    def stop(self) -> None:
        if self.daemon is not None and self.daemon.poll() is None:
            self.daemon.send_signal(signal.SIGTERM)
            try:
                self.daemon.wait(15)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
        self.daemon = None

    def search(self, role: str, query: str) -> list[str]:
        result = self.cli(role, "search", query)
        if result.returncode not in (0, 1):
            return [f"exit {result.returncode}: {result.stderr}"]
        return [h["path"] for h in json.loads(result.stdout)["hits"]]


@pytest.fixture(scope="module")
def team():
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    tag = uuid.uuid4().hex[:5]
    logins = {role: f"sv{tag}{role[:4]}" for role in ROLES}
    created = []
    base = Path(f"/var/tmp/archive-tool-test-{tag}")
    try:
        for role, name in logins.items():
            extra = ["--system"] if role == "svc" else []
            subprocess.run(["useradd", *extra, "--no-create-home", "--shell",
                            "/usr/sbin/nologin", "--user-group", name], check=True,
                           capture_output=True)
            created.append(name)
        root = base / "clientes"
        (root / "clients/CL-0001-levante/correspondence").mkdir(parents=True)
        (root / "clients/CL-0002-banco/correspondence").mkdir(parents=True)
        (root / "archive.yaml").write_text("name: Clientes de prueba\nlanguage: es\n")
        (root / "staff.yaml").write_text(STAFF.format(**logins))
        (root / "clients/CL-0001-levante/client.yaml").write_text(LEVANTE)
        (root / "clients/CL-0002-banco/client.yaml").write_text(BANCO)
        corr = root / "clients/CL-0001-levante/correspondence"
        (corr / "2026-03-04-reservada.yaml").write_text(SECRET)
        (corr / "reservada.txt").write_text("Los zafiros llegan el martes.\n")
        base.chmod(0o755)
        t = Team(root, base / "run/archive.sock", logins)
        setup = t.cli("root", "setup", "--service-user", logins["svc"],
                      "--socket", str(t.socket))
        assert setup.returncode == 0, setup.stderr
        t.start()
        yield t
    finally:
        if "t" in locals():
            t.stop()
        shutil.rmtree(base, ignore_errors=True)
        for name in created:
            subprocess.run(["userdel", name], check=False, capture_output=True)
            subprocess.run(["groupdel", name], check=False, capture_output=True)


def test_setup_is_idempotent_and_names_the_service(team):
    again = team.cli("root", "setup", "--service-user", team.login["svc"],
                     "--socket", str(team.socket))
    assert again.returncode == 0, again.stderr
    assert not json.loads(again.stdout)["created_account"]
    text = (team.root / "archive.yaml").read_text()
    assert f"user: {team.login['svc']}" in text and str(team.socket) in text
    state = team.root / ".archive"
    assert state.stat().st_uid == __import__("pwd").getpwnam(team.login["svc"]).pw_uid
    assert state.stat().st_mode & 0o777 == 0o700


def test_a_logged_call_reaches_the_colleague_and_nobody_else(team, tmp_path):
    own = Path(f"/var/tmp/{team.root.parent.name}-ana")
    own.mkdir(mode=0o700)
    note = own / "nota.txt"
    note.write_text("Pedido urgente de tornillería galvanizada.\n")
    note.chmod(0o600)
    shutil.chown(note, team.login["ana"])
    shutil.chown(own, team.login["ana"])
    try:  # a file only ana can read: her own process reads it for the service
        logged = team.cli("ana", "log", "CL-0001", "--kind", "call", "--subject",
                          "Pedido de tornillería", "--file", "nota.txt", cwd=own)
    finally:
        shutil.rmtree(own)
    assert logged.returncode == 0, logged.stderr
    entry = team.root / json.loads(logged.stdout)["path"]
    attachment = entry.parent / "nota.txt"
    # The colleague on the same client reads both on disk, at once ...
    assert team.shell("pedro", "cat", str(entry)).returncode == 0
    assert "galvanizada" in team.shell("pedro", "cat", str(attachment)).stdout
    # ... and finds them by search within seconds; the others cannot.
    wait_for(lambda: any("nota.txt" in p for p in team.search("pedro", "galvanizada")),
             10, "the attachment to be indexed")
    assert team.shell("luis", "cat", str(attachment)).returncode != 0
    assert team.search("luis", "galvanizada") == []
    assert team.shell("outsider", "cat", str(attachment)).returncode != 0


def test_members_commands_work_after_setup(team, tmp_path):
    work = Path(f"/var/tmp/{team.root.parent.name}-pedro")
    work.mkdir()
    shutil.chown(work, team.login["pedro"])
    try:
        for args in (["client", "list"], ["client", "show", "CL-0001"], ["validate"],
                     ["history", "CL-0001"], ["checkouts"], ["status"]):
            result = team.cli("pedro", *args)
            assert result.returncode in (0, 1), (args, result.stderr)
            assert not result.stderr.startswith("Traceback"), result.stderr
            json.loads(result.stdout)
        listed = json.loads(team.cli("pedro", "client", "list").stdout)["clients"]
        assert [c["id"] for c in listed] == ["CL-0001"]
        out = team.cli("pedro", "checkout", "CL-0001", "client.yaml", "--to", str(work),
                       "--edit")
        assert out.returncode == 0, out.stderr
        copy = work / "CL-0001-levante/client.yaml"
        assert copy.stat().st_uid == __import__("pwd").getpwnam(team.login["pedro"]).pw_uid
        again = team.cli("pedro", "checkout", "CL-0001", "client.yaml", "--to", str(work))
        assert again.returncode == 5  # the copy is there: never overwritten
        team.shell("pedro", "sh", "-c", f"echo 'business_scope: Tornillería' >> {copy}")
        back = team.cli("pedro", "checkin", str(copy), "--note", "actividad")
        assert back.returncode == 0, back.stderr
        assert "Tornillería" in (team.root / "clients/CL-0001-levante/client.yaml").read_text()
        versions = team.cli("pedro", "versions", "clients/CL-0001-levante/client.yaml")
        assert versions.returncode == 0, versions.stderr
        restored = team.cli("pedro", "restore", "clients/CL-0001-levante/client.yaml",
                            "--version", "1", "--to", str(work / "antes.yaml"))
        assert restored.returncode == 0, restored.stderr
        assert "Tornillería" not in (work / "antes.yaml").read_text()
        refused = team.cli("pedro", "restore", "clients/CL-0001-levante/client.yaml",
                           "--version", "1", "--to", str(work / "antes.yaml"))
        assert refused.returncode == 5, refused.stderr
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_index_and_import_through_the_service(team):
    indexed = team.cli("admin", "index")
    assert indexed.returncode == 0, indexed.stderr
    assert team.cli("pedro", "index", "--rebuild").returncode == 3  # admins only
    scans = Path(f"/var/tmp/{team.root.parent.name}-escaner")
    (scans / "sub").mkdir(parents=True)
    (scans / "2026-10-01-albaran.txt").write_text("Albarán de membrillo.\n")
    (scans / "sub/2026-10-02-pedido.txt").write_text("Pedido de membrillo.\n")
    for path in (scans, scans / "sub", *scans.rglob("*.txt")):
        shutil.chown(path, team.login["ana"])
    scans.chmod(0o700)
    try:
        done = team.cli("ana", "import", str(scans), "--client", "CL-0001")
    finally:
        shutil.rmtree(scans)
    assert done.returncode == 0, done.stderr
    assert len([i for i in json.loads(done.stdout)["items"] if i["entry"]]) == 2
    wait_for(lambda: len(team.search("pedro", "membrillo")) >= 2, 10, "the import indexed")


def test_the_shell_reaches_nothing_the_policy_forbids(team):
    state = team.root / ".archive"
    for role in ("admin", "ana", "pedro", "luis", "outsider"):
        assert team.shell(role, "ls", str(state)).returncode != 0, role
        assert team.shell(role, "cat", str(state / "audit.jsonl")).returncode != 0, role
        if role != "admin":  # admins create and remove client folders (design §7)
            made = team.shell(role, "mkdir", str(team.root / f"clients/CL-0001-{role}"))
            assert made.returncode != 0, role
    record = team.root / "clients/CL-0002-banco/client.yaml"
    assert team.shell("ana", "cat", str(record)).returncode != 0
    assert team.shell("luis", "cat", str(record)).returncode == 0
    secret = team.root / "clients/CL-0001-levante/correspondence/reservada.txt"
    assert team.shell("ana", "cat", str(secret)).returncode == 0  # the letter's staff
    assert team.shell("pedro", "cat", str(secret)).returncode != 0  # a colleague is not
    assert team.shell("admin", "cat", str(secret)).returncode == 0
    assert team.shell("outsider", "cat", str(team.root / "staff.yaml")).returncode != 0
    assert team.shell("luis", "cat", str(team.root / "staff.yaml")).returncode == 0
    assert team.shell("luis", "sh", "-c", f"echo x >> {team.root / 'staff.yaml'}"
                      ).returncode != 0
    # Search, versions and check-out keep the confidential letter from the colleague.
    assert not any("reservada" in p for p in team.search("pedro", "zafiros"))
    wait_for(lambda: any("reservada" in p for p in team.search("ana", "zafiros")), 10,
             "the confidential letter to be indexed")


def test_a_new_confidential_file_is_closed_at_once(team):
    folder = team.root / "clients/CL-0001-levante/correspondence"
    made = team.shell("ana", "sh", "-c",
                      f"printf 'date: 2026-11-02\\nkind: note\\nstaff: [E-010]\\nsubject: Nota"
                      f"\\nconfidential: true\\n' > {folder}/2026-11-02-nota-propia.yaml")
    assert made.returncode == 0, made.stderr
    wait_for(lambda: team.shell("pedro", "cat", f"{folder}/2026-11-02-nota-propia.yaml"
                                ).returncode != 0, 5, "the confidential entry to close")
    assert team.shell("ana", "cat", f"{folder}/2026-11-02-nota-propia.yaml").returncode == 0


def test_a_direct_edit_names_nobody(team):
    record = team.root / "clients/CL-0002-banco/client.yaml"
    edit = team.shell("luis", "sh", "-c", f"echo 'website: https://turia.example' >> {record}")
    assert edit.returncode == 0, edit.stderr

    def journal():
        rows = json.loads(team.cli("admin", "history", "CL-0002").stdout)["changes"]
        return [r for r in rows if r["field"] == "website"]

    rows = wait_for(journal, 10, "the edit to be journaled")
    assert rows[0]["owner"] is None  # never guessed from the file's owner


def test_a_planted_symlink_is_never_followed(team):
    folder = team.root / "clients/CL-0002-banco"
    link = folder / "correspondence/2026-05-05-enlace.yaml"
    assert team.shell("luis", "ln", "-s", str(team.root / "staff.yaml"), str(link)
                      ).returncode == 0
    staff_before = (team.root / "staff.yaml").read_text()
    wait_for(lambda: "symlink" in team.cli("admin", "validate", "CL-0002").stdout, 10,
             "the link to be reported")
    assert not any("enlace" in p for p in team.search("luis", "Isabel"))
    assert (team.root / "staff.yaml").read_text() == staff_before
    link.unlink()


def test_audit_is_the_service_s_alone(team):
    for role in ("ana", "pedro"):  # whichever tests ran before this one on this worker
        assert team.cli(role, "client", "list").returncode == 0
    verify = team.cli("admin", "audit", "--verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert team.cli("pedro", "audit").returncode == 3
    records = json.loads(team.cli("admin", "audit").stdout)["records"]
    assert {r["login"] for r in records} >= {team.login["ana"], team.login["pedro"]}


def test_departure_ends_os_access_within_two_seconds(team):
    record = team.root / "clients/CL-0001-levante/client.yaml"
    assert team.shell("gone", "cat", str(record)).returncode == 0
    started = time.monotonic()
    gone = team.cli("admin", "staff", "depart", "E-013", "--successor", "E-011")
    assert gone.returncode == 0, gone.stderr
    wait_for(lambda: team.shell("gone", "cat", str(record)).returncode != 0, 2.0,
             "the leaver to lose the folder")
    assert time.monotonic() - started < 10
    assert team.cli("gone", "client", "list").returncode == 3


def test_unknown_login_is_told_so(team):
    result = team.cli("outsider", "client", "list", json_out=False)
    assert result.returncode == 3
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


def test_help_comes_with_or_without_the_service(team):
    served = {role: team.cli(role, "search", "--help", json_out=False)
              for role in ("pedro", "outsider")}
    for result in served.values():
        assert result.returncode == 0 and "--sort" in result.stdout, result.stderr
    team.stop()
    try:
        local = team.cli("pedro", "search", "--help", json_out=False)
    finally:
        team.start()
    assert local.returncode == 0 and local.stdout == served["pedro"].stdout


def test_no_service_one_line_exit_6(team):
    team.stop()
    try:
        result = team.cli("pedro", "client", "list", json_out=False)
        assert result.returncode == 6
        assert result.stderr.startswith("error: the archive service is not answering (")
        assert result.stderr.count("\n") == 1
        assert team.cli("pedro", "--help", json_out=False).returncode == 0
    finally:
        team.start()
