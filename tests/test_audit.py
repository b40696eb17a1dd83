"""The audit log: a hash chain that names the first edited, removed or moved record,
and appends that never interleave or get lost under concurrent writers."""

import json
import multiprocessing
import subprocess
import sys

from conftest import Run, write

from archive_tool.audit import AuditLog


def fill(log: AuditLog, n: int) -> None:
    for i in range(n):
        log.append("show", staff="E-001", login="ana", client=f"CL-{i:04d}")


def lines(log: AuditLog) -> list[str]:
    return log.path.read_text().splitlines(keepends=True)


def test_intact_chain(tmp_path):
    log = AuditLog(tmp_path)
    fill(log, 5)
    verdict = log.verify()
    assert (verdict.ok, verdict.records) == (True, 5)


def test_edited_record_is_named(tmp_path):
    log = AuditLog(tmp_path)
    fill(log, 5)
    text = lines(log)
    text[2] = text[2].replace('"ana"', '"eva"')
    log.path.write_text("".join(text))
    verdict = log.verify()
    assert not verdict.ok
    assert verdict.message == ("audit.jsonl line 3 (record 3) was edited: its hash does not"
                               " match its content")


def test_removed_record_is_named(tmp_path):
    log = AuditLog(tmp_path)
    fill(log, 5)
    text = lines(log)
    del text[1]
    log.path.write_text("".join(text))
    assert log.verify().message == "audit.jsonl line 2: record 2 was removed before it"


def test_reordered_records_are_named(tmp_path):
    log = AuditLog(tmp_path)
    fill(log, 5)
    text = lines(log)
    text[1], text[2] = text[2], text[1]
    log.path.write_text("".join(text))
    verdict = log.verify()
    assert not verdict.ok and verdict.message.startswith("audit.jsonl line 2")


def test_cut_at_the_end_is_noticed(tmp_path):
    log = AuditLog(tmp_path)
    fill(log, 5)
    log.path.write_text("".join(lines(log)[:3]))
    assert log.verify().message == ("audit.jsonl ends at record 3 but record 5 was written:"
                                    " records were cut from the end")


def test_garbage_line_is_named(tmp_path):
    log = AuditLog(tmp_path)
    fill(log, 3)
    log.path.write_text("".join(lines(log)[:2]) + "not json\n" + lines(log)[2])
    assert log.verify().message == "audit.jsonl line 3 is not a valid record (edited?)"


def _writer(folder, worker, n):
    log = AuditLog(folder)
    for i in range(n):
        log.append("search", staff=f"E-{worker:03d}", login=f"u{worker}", query=f"q{i}")


def test_concurrent_writers_never_interleave_or_lose(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(tmp_path, w, 150)) for w in range(6)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    log = AuditLog(tmp_path)
    records = list(log.records())
    assert len(records) == 900
    assert [r["seq"] for r in records] == list(range(1, 901))
    for w in range(6):  # each writer's records all there, in its own order
        mine = [r["query"] for r in records if r["staff"] == f"E-{w:03d}"]
        assert mine == [f"q{i}" for i in range(150)]
    assert log.verify().ok


def test_record_fields(tmp_path):
    r = AuditLog(tmp_path).append("show", staff="E-001", login="ana", client="CL-0001",
                                  path="clients/CL-0001/client.yaml")
    assert {"seq", "at", "staff", "login", "action", "client", "path", "query", "outcome",
            "host", "pid", "prev", "hash"} <= set(r)
    assert r["at"].endswith("+00:00")


def test_cli_audit_filters_and_verify(run, root):
    run("client", "show", "CL-0001")
    run("search", "levante")
    result = run("--json", "audit", "--client", "CL-0001")
    actions = [r["action"] for r in json.loads(result.stdout)["records"]]
    assert "show" in actions and "search" not in actions
    assert run("audit", "--verify").stdout.startswith("ok: ")
    log = root / ".archive/audit.jsonl"
    log.write_text(log.read_text().replace('"show"', '"list"', 1))
    broken = run("audit", "--verify")
    assert broken.exit_code == 1
    assert broken.stdout.startswith("broken: audit.jsonl line 1 (record 1) was edited")


def test_cli_audit_is_for_admins(run, root):
    write(root / "staff.yaml", (root / "staff.yaml").read_text().replace(
        "department: information, role: admin", "department: commercial, role: member"))
    result = run("audit")
    assert result.exit_code == 3
    assert result.stderr == "error: audit is for the information department's administrators\n"


def test_python_m_audit_verify(root):
    Run(root)("client", "show", "CL-0001")
    proc = subprocess.run([sys.executable, "-m", "archive_tool", "-A", str(root), "audit",
                           "--verify"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and proc.stdout.startswith("ok: ")
