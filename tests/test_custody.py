"""Check-out, check-in, versions and restore: files leave only on record and no
version is ever lost."""

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import TODAY, archive, write

from archive_tool import custody
from archive_tool.errors import AccessDenied, UsageError
from archive_tool.syncing import update_index
from archive_tool.versions import CorruptBlob

CL = "clients/CL-0001-levante"
NOTE = f"{CL}/correspondence/nota.txt"


@pytest.fixture
def arch(root):
    write(root / CL / "correspondence/2026-03-04-nota.yaml",
          "date: 2026-03-04\nkind: note\nsubject: Nota\nattachments: [nota.txt]\n")
    write(root / NOTE, "versión uno\n")
    update_index(archive(root))
    return root


def out_copy(tmp_path):
    return tmp_path / "out/CL-0001-levante/correspondence/nota.txt"


def test_checkout_edit_checkin_keeps_the_previous_version(run, arch, tmp_path):
    result = run("checkout", "CL-0001", "correspondence/nota.txt", "--to",
                 str(tmp_path / "out"), "--edit", "--purpose", "corregir fecha")
    assert result.exit_code == 0, result.stderr
    copy = out_copy(tmp_path)
    assert copy.read_text() == "versión uno\n"
    copy.write_text("versión dos\n")
    result = run("checkin", str(copy), "--note", "fecha corregida")
    assert result.exit_code == 0, result.stderr
    assert (arch / NOTE).read_text() == "versión dos\n"
    versions = json.loads(run("--json", "versions", NOTE).stdout)["versions"]
    assert [(v["n"], v["source"]) for v in versions] == [(1, "daemon"), (2, "checkin")]
    actions = [r["action"] for r in json.loads(run("--json", "audit", "--client",
                                                   "CL-0001").stdout)["records"]]
    assert "checkout" in actions and "checkin" in actions


def test_second_edit_checkout_is_refused_naming_holder(run, arch, tmp_path):
    run("checkout", "CL-0001", "correspondence/nota.txt", "--to", str(tmp_path / "a"),
        "--edit")
    second = run("checkout", "CL-0001", "correspondence/nota.txt", "--to",
                 str(tmp_path / "b"), "--edit")
    assert second.exit_code == 5
    assert "is checked out for editing by" in second.stderr and "until" in second.stderr
    read = run("checkout", "CL-0001", "correspondence/nota.txt", "--to", str(tmp_path / "c"))
    assert read.exit_code == 0  # read check-outs are allowed, and recorded
    assert len(json.loads(run("--json", "checkouts").stdout)["checkouts"]) == 2


def test_whole_client_checkout(run, arch, tmp_path):
    result = run("--json", "checkout", "CL-0001", "--to", str(tmp_path / "all"))
    paths = {c["path"] for c in json.loads(result.stdout)["checkouts"]}
    assert paths == {f"{CL}/client.yaml", NOTE, f"{CL}/correspondence/2026-03-04-nota.yaml"}


def test_changed_underneath_refuses_and_keeps_both(run, arch, tmp_path):
    run("checkout", "CL-0001", "correspondence/nota.txt", "--to", str(tmp_path / "out"),
        "--edit")
    copy = out_copy(tmp_path)
    copy.write_text("mi versión\n")
    (arch / NOTE).write_text("editada en la carpeta\n")
    result = run("checkin", str(copy))
    assert result.exit_code == 5
    assert "changed in the archive since it was checked out" in result.stderr
    assert (arch / NOTE).read_text() == "editada en la carpeta\n"
    assert copy.read_text() == "mi versión\n"
    forced = run("checkin", str(copy), "--force")
    assert forced.exit_code == 0
    assert (arch / NOTE).read_text() == "mi versión\n"
    contents = [v["sha256"] for v in json.loads(run("--json", "versions", NOTE).stdout)[
        "versions"]]
    assert len(contents) == 3  # original, the folder's edit (stored first), the check-in


def test_direct_edit_of_checked_out_file_is_detected(run, arch, tmp_path):
    run("checkout", "CL-0001", "correspondence/nota.txt", "--to", str(tmp_path / "out"),
        "--edit")
    (arch / NOTE).write_text("editada sin permiso\n")
    update_index(archive(arch))
    problems = json.loads(run("--json", "validate").stdout)["problems"]
    assert [(p["rule"], p["path"]) for p in problems] == [("checked-out-edited", NOTE)]
    audit = json.loads(run("--json", "audit").stdout)["records"]
    assert [r["outcome"] for r in audit if r["action"] == "direct-edit"] == ["conflict"]


def test_cancel_releases_without_changes(run, arch, tmp_path):
    run("checkout", "CL-0001", "correspondence/nota.txt", "--to", str(tmp_path / "out"),
        "--edit")
    copy = out_copy(tmp_path)
    copy.write_text("descartado\n")
    assert run("checkin", "--cancel", str(copy)).exit_code == 0
    assert (arch / NOTE).read_text() == "versión uno\n"
    again = run("checkout", "CL-0001", "correspondence/nota.txt", "--to",
                str(tmp_path / "again"), "--edit")
    assert again.exit_code == 0


def test_only_allowed_staff_check_out_and_admin_forces_others(arch, tmp_path):
    with pytest.raises(AccessDenied):
        custody.checkout(archive(arch, login="pmoreno"), "CL-0001", [], tmp_path / "x",
                         False, None, None)
    custody.checkout(archive(arch, login="cruiz"), "CL-0001", ["correspondence/nota.txt"],
                     tmp_path / "o", True, None, None)
    copy = tmp_path / "o/CL-0001-levante/correspondence/nota.txt"
    with pytest.raises(AccessDenied):
        custody.checkin(archive(arch, login="atorres"), [copy])
    done = custody.checkin(archive(arch), [copy])  # the admin: recorded as forced
    assert archive(arch).ledger.open() == []
    assert done[0].login == "cruiz"
    assert [r["detail"] for r in archive(arch).audit.records()
            if r["action"] == "checkin"][-1].startswith("forced")


def test_overdue_checkouts(run, arch, tmp_path):
    run("checkout", "CL-0001", "correspondence/nota.txt", "--to", str(tmp_path / "o"),
        "--days", "1")
    a = archive(arch)
    a.today = TODAY.replace(year=2027)
    assert [c.path for c in custody.checkouts(a, overdue=True)] == [NOTE]
    assert custody.checkouts(archive(arch), overdue=True) == []


def test_restore_after_delete_and_after_overwrite(run, arch, tmp_path):
    (arch / NOTE).unlink()
    update_index(archive(arch))
    assert run("restore", NOTE).exit_code == 0
    assert (arch / NOTE).read_text() == "versión uno\n"
    (arch / NOTE).write_text("sobrescrita\n")
    update_index(archive(arch))
    assert run("restore", NOTE, "--version", "1").exit_code == 0
    assert (arch / NOTE).read_text() == "versión uno\n"
    sources = [v["source"] for v in json.loads(run("--json", "versions", NOTE).stdout)[
        "versions"]]
    assert sources == ["daemon", "daemon", "restore"]
    elsewhere = tmp_path / "copia.txt"
    assert run("restore", NOTE, "--version", "2", "--to", str(elsewhere)).exit_code == 0
    assert elsewhere.read_text() == "sobrescrita\n"


def test_corrupt_blob_is_detected(run, arch):
    a = archive(arch)
    version = a.versions.latest(NOTE)
    blob = a.versions.blob(version.sha256)
    blob.chmod(0o644)
    blob.write_text("dañado\n")
    with pytest.raises(CorruptBlob, match="damaged in the store"):
        custody.restore(archive(arch), NOTE)
    result = run("restore", NOTE)
    assert result.exit_code == 1 and "damaged in the store" in result.stderr
    assert (arch / NOTE).read_text() == "versión uno\n"


@pytest.mark.parametrize("bad", ["../../etc/passwd", "/etc/passwd", "clients/../staff.yaml",
                                 "clients/CL-0001-levante/../../archive.yaml"])
def test_escapes_are_refused_before_anything_is_touched(run, arch, tmp_path, bad):
    before = sorted(p.name for p in (arch / ".archive").iterdir())
    for args in (("versions", bad), ("restore", bad)):
        result = run(*args)
        assert result.exit_code == 2, result.stderr
    result = run("checkout", "CL-0001", bad, "--to", str(tmp_path / "x"))
    assert result.exit_code in (2, 4)
    assert not (tmp_path / "x").exists()
    assert sorted(p.name for p in (arch / ".archive").iterdir()) == before


def test_symlink_is_not_checked_out(arch, tmp_path):
    (arch / CL / "correspondence/enlace.txt").symlink_to("/etc/hostname")
    with pytest.raises(UsageError):
        custody.checkout(archive(arch), "CL-0001", ["correspondence/enlace.txt"],
                         tmp_path / "x", False, None, None)


def test_disk_full_during_checkin_loses_nothing(run, arch, tmp_path, monkeypatch):
    run("checkout", "CL-0001", "correspondence/nota.txt", "--to", str(tmp_path / "out"),
        "--edit")
    copy = out_copy(tmp_path)
    copy.write_text("versión nueva\n")
    import shutil as shutil_module

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil_module, "copyfileobj", full)
    result = run("checkin", str(copy))
    assert result.exit_code == 1
    assert result.stderr == ("error: the disk is full; free some space and run the command"
                             " again; nothing was changed\n")
    monkeypatch.undo()
    assert (arch / NOTE).read_text() == "versión uno\n"
    assert copy.read_text() == "versión nueva\n"
    assert not [p for p in (arch / CL / "correspondence").iterdir() if p.suffix == ".tmp"]
    assert run("checkin", str(copy)).exit_code == 0  # still open: try again
    assert (arch / NOTE).read_text() == "versión nueva\n"


KILLER = """
import sys, time
from pathlib import Path
from archive_tool import custody
from archive_tool.archive import Archive
custody.checkin(Archive(Path(sys.argv[1])), [Path(sys.argv[2])])
"""


def test_kill_9_during_checkin_leaves_old_or_new(arch, tmp_path):
    big_old = b"viejo " * 4_000_000
    (arch / NOTE).write_bytes(big_old)
    update_index(archive(arch))
    custody.checkout(archive(arch), "CL-0001", ["correspondence/nota.txt"], tmp_path / "o",
                     True, None, None)
    copy = tmp_path / "o/CL-0001-levante/correspondence/nota.txt"
    big_new = b"nuevo " * 4_000_000
    copy.write_bytes(big_new)
    folder = (arch / NOTE).parent
    proc = subprocess.Popen([sys.executable, "-c", KILLER, str(arch), str(copy)])
    try:  # kill it while the new content is being written beside the file
        deadline = time.monotonic() + 30
        while not list(folder.glob(".nota.txt.*.tmp")) and proc.poll() is None:
            assert time.monotonic() < deadline, "the check-in never started writing"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert (arch / NOTE).read_bytes() in (big_old, big_new)  # never torn
    a = archive(arch)
    finished = custody.finish_checkins(a)  # what a restart of the service does first
    content = (arch / NOTE).read_bytes()
    assert content in (big_old, big_new)
    for v in a.versions.history(NOTE):
        a.versions.read_checked(v)  # every catalogued version is complete
    assert not list(folder.glob(".nota.txt.*.tmp"))  # nothing half-written stays
    assert not list((arch / ".archive/incoming").glob("*"))
    still_open = a.ledger.open_edit(NOTE)
    if content == big_new:  # finished: on record, versioned, closed
        assert still_open is None and finished
        assert a.versions.latest(NOTE).sha256 == hashlib.sha256(big_new).hexdigest()
        assert [r["action"] for r in a.audit.records()][-1] == "checkin"
    else:  # undone: the check-out is still open, as if it never started
        assert still_open is not None
        assert custody.checkin(a, [copy])
    assert (arch / NOTE).read_bytes() == big_new


def test_gc_keeps_everything_unless_asked(run, arch):
    result = run("gc")
    assert result.exit_code == 2 and "every version is kept" in result.stderr
    (arch / NOTE).write_text("otra\n")
    update_index(archive(arch))
    result = run("--json", "gc", "--keep-days", "1")
    assert json.loads(result.stdout) == {"versions_forgotten": 0, "blobs_deleted": 0}


def test_history_shows_journal_and_versions(run, arch):
    record = arch / CL / "client.yaml"
    record.write_text(record.read_text().replace("tier: standard", "tier: vip"))
    update_index(archive(arch))
    data = json.loads(run("--json", "history", "CL-0001").stdout)
    assert [(c["field"], c["old"], c["new"]) for c in data["changes"]] == [
        ("tier", "standard", "vip")]
    assert {v["path"] for v in data["versions"]} >= {f"{CL}/client.yaml", NOTE}
    assert [v["n"] for v in data["versions"] if v["path"] == f"{CL}/client.yaml"] == [1, 2]


