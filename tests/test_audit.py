"""The audit log: a keyed hash chain that names the first edited, removed or moved record,
whose head also goes to the system log; appends that never interleave or get lost under
concurrent writers, and keep working after damage."""

import hashlib
import json
import multiprocessing
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Run, write

from archive_tool.audit import GENESIS, AuditKey, AuditLog, keyed_hash, plain_hash


def quiet(folder: Path, system_log: str | None = None) -> AuditLog:
    """A log whose heads go to a socket nobody listens on, and whose verify reads
    system_log (a text) as the system log, or none."""
    found = None if system_log is None else ("test log", system_log)
    return AuditLog(folder, syslog_address=folder / "nobody.sock", system_log=lambda: found)


def fill(log: AuditLog, n: int) -> list[dict]:
    return [log.append("show", staff="E-001", login="ana", client=f"CL-{i:04d}")
            for i in range(n)]


def lines(log: AuditLog) -> list[str]:
    return log.path.read_text().splitlines(keepends=True)


def parsed(log: AuditLog) -> list[dict]:
    return [json.loads(line) for line in lines(log)]


def the_key(log: AuditLog) -> AuditKey:
    key = AuditKey.parse(log.key_path.read_bytes())
    assert key is not None
    return key


def rechain(log: AuditLog, records: list[dict], seal, start: int = 0) -> None:
    """Rewrite the log as someone who can write it would: the records from start on
    relinked and sealed again, the head to match."""
    prev = records[start - 1]["hash"] if start else GENESIS
    for record in records[start:]:
        record["prev"] = prev
        record["hash"] = prev = seal(record)
    log.path.write_text("".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n"
                                for r in records))
    log.head.write_text(f"{records[-1]['seq']} {prev}\n")


def heads_text(log: AuditLog, records: list[dict]) -> str:
    return "".join(f"audit head {log.name} seq={r['seq']} hash={r['hash']}\n" for r in records)


def test_keyed_records_verify(tmp_path):
    log = quiet(tmp_path)
    records = fill(log, 5)
    verdict = log.verify()
    assert (verdict.ok, verdict.records, verdict.message) == (True, 5, "5 records, chain intact")
    assert {(r["mac"], r["key_id"]) for r in parsed(log)} == {("hmac-sha256", the_key(log).id)}
    assert stat.S_IMODE(log.key_path.stat().st_mode) == 0o600
    assert ("records 1 to 5 are keyed: each one's HMAC-SHA256 with audit.key matches its"
            " content") in verdict.checked
    assert "audit.head names record 5, the last one: nothing was cut from the end" \
        in verdict.checked
    secret = the_key(log).secret
    assert secret.hex() not in log.path.read_text() + log.head.read_text()
    assert secret.hex() not in repr(the_key(log))
    assert records[-1]["hash"] == keyed_hash(records[-1], the_key(log))


def test_recomputing_the_plain_chain_after_an_edit_fails(tmp_path):
    log = quiet(tmp_path)
    fill(log, 5)
    records = parsed(log)
    records[2]["login"] = "eva"
    rechain(log, records, plain_hash, start=2)
    verdict = log.verify()
    assert not verdict.ok
    assert verdict.message == ("audit.jsonl line 3 (record 3) was edited: its MAC does not"
                               " match its content")


def test_stripping_the_keys_and_recomputing_the_plain_chain_fails(tmp_path):
    log = quiet(tmp_path)
    fill(log, 5)
    records = [{k: v for k, v in r.items() if k not in ("mac", "key_id")} for r in parsed(log)]
    records[2]["login"] = "eva"
    rechain(log, records, plain_hash)
    assert log.verify().message == (
        "audit.jsonl line 1 (record 1) is not keyed, though records are keyed from record 1"
        " on: it was written or rewritten without the key")


def test_an_edited_record_is_named(tmp_path):
    log = quiet(tmp_path)
    fill(log, 5)
    text = lines(log)
    text[2] = text[2].replace('"ana"', '"eva"')
    log.path.write_text("".join(text))
    verdict = log.verify()
    assert not verdict.ok and verdict.records == 3
    assert verdict.message == ("audit.jsonl line 3 (record 3) was edited: its MAC does not"
                               " match its content")


def test_a_removed_key_is_reported_and_a_new_one_named_a_replacement(tmp_path):
    log = quiet(tmp_path)
    fill(log, 3)
    log.key_path.unlink()
    assert log.verify().message == (
        "audit.jsonl line 1 (record 1) is keyed, but audit.key is missing: the key was"
        " removed, so keyed records cannot be checked")
    fill(log, 1)  # appends go on, with a new key
    assert the_key(log).since == 4
    assert log.verify().message == (
        "audit.jsonl line 1 (record 1) was keyed with another key than the present audit.key"
        " (in use from record 4 on): the key was replaced")


def test_swapped_records_are_named_out_of_order(tmp_path):
    log = quiet(tmp_path)
    fill(log, 5)
    text = lines(log)
    text[1], text[2] = text[2], text[1]
    log.path.write_text("".join(text))
    verdict = log.verify()
    assert not verdict.ok
    assert verdict.message == ("audit.jsonl line 2 (record 3) is out of order: record 2 comes"
                               " after it, at line 3 (records swapped or moved)")


def test_a_removed_record_is_named(tmp_path):
    log = quiet(tmp_path)
    fill(log, 5)
    text = lines(log)
    del text[1]
    log.path.write_text("".join(text))
    assert log.verify().message == "audit.jsonl line 2: record 2 was removed before it"
    del text[1:3]
    log.path.write_text("".join(text))
    assert log.verify().message == "audit.jsonl line 2: records 2 to 4 were removed before it"


def test_a_cut_at_the_end_is_noticed(tmp_path):
    log = quiet(tmp_path)
    fill(log, 5)
    log.path.write_text("".join(lines(log)[:3]))
    verdict = log.verify()
    assert (verdict.ok, verdict.records) == (False, 3)
    assert verdict.message == ("audit.jsonl ends at record 3 but record 5 was written:"
                               " records were cut from the end")


@pytest.mark.parametrize(("head", "shown"), [("abc def\n", "'abc def'"), ("5\n", "'5'"),
                                             ("", "''")])
def test_a_damaged_head_is_reported(tmp_path, head, shown):
    log = quiet(tmp_path)
    fill(log, 5)
    log.head.write_text(head)
    verdict = log.verify()
    assert not verdict.ok
    assert verdict.message == (f"audit.head is damaged ({shown} is not '<seq> <hash>'): a cut"
                               " at the end cannot be checked with it")


def test_a_missing_head_is_reported(tmp_path):
    log = quiet(tmp_path)
    fill(log, 2)
    log.head.unlink()
    assert log.verify().message == ("audit.head is missing: a cut at the end cannot be"
                                    " checked with it")


@pytest.mark.parametrize(("line", "why"), [
    (b"[1, 2, 3]", "it is a JSON array, not an object"),
    (b"abc", "it is not JSON"),
    (b'"abc"', "it is a JSON string, not an object"),
    (b"\xff\xfe", "it is not UTF-8 text"),
    (b"[" * 100_000, "it is not JSON"),
    (b'{"seq": 3}', "it lacks a seq, prev or hash"),
])
def test_a_line_that_is_not_a_record_is_named(tmp_path, line, why):
    log = quiet(tmp_path)
    fill(log, 3)
    text = log.path.read_bytes().splitlines(keepends=True)
    log.path.write_bytes(b"".join(text[:2]) + line + b"\n" + text[2])
    verdict = log.verify()
    assert (verdict.ok, verdict.records) == (False, 3)
    assert verdict.message == f"audit.jsonl line 3 is not a record ({why}): it was edited or" \
                              " inserted"
    assert len(list(log.records())) == 4
    fill(log, 2)  # appends go on after damage; verify still names the first one
    assert [r.get("seq") for r in log.records()][-2:] == [4, 5]
    assert log.verify().message == verdict.message


def test_a_cut_last_line_stays_apart_from_the_next_record(tmp_path):
    log = quiet(tmp_path)
    fill(log, 3)
    log.path.write_bytes(log.path.read_bytes()[:-20])
    fill(log, 1)
    assert log.path.read_text().count("\n") == 4
    assert log.verify().message.startswith("audit.jsonl line 3 is not a record (it is not JSON)")


def test_an_older_unkeyed_log_followed_by_keyed_records_verifies(tmp_path):
    log = quiet(tmp_path)
    prev, older = GENESIS, []
    for seq in (1, 2, 3):
        record = {"seq": seq, "at": "2026-01-01T00:00:00+00:00", "staff": "E-001",
                  "login": "ana", "action": "show", "client": None, "path": None,
                  "query": None, "outcome": "ok", "detail": None, "host": "h", "pid": 1,
                  "prev": prev}
        record["hash"] = prev = plain_hash(record)
        older.append(json.dumps(record, sort_keys=True) + "\n")
    log.path.write_text("".join(older))
    log.head.write_text(f"3 {prev}\n")
    assert log.verify().message == "3 records, chain intact; records 1 to 3 are older and" \
                                   " unkeyed"
    fill(log, 2)
    verdict = log.verify()
    assert verdict.ok
    assert verdict.message == "5 records, chain intact; records 1 to 3 are older and unkeyed"
    assert ("a rewrite of records 1 to 3 by anyone who could write audit.jsonl: older than"
            " the key") in verdict.not_ruled_out
    assert ("records 4 to 5 are keyed: each one's HMAC-SHA256 with audit.key matches its"
            " content") in verdict.checked
    assert the_key(log).since == 4
    text = lines(log)
    text[1] = text[1].replace('"ana"', '"eva"')
    log.path.write_text("".join(text))
    assert log.verify().message == ("audit.jsonl line 2 (record 2) was edited: its hash does"
                                    " not match its content")


def _writer(folder: Path, worker: int, n: int) -> None:
    log = AuditLog(folder, syslog_address=folder / "nobody.sock")
    for i in range(n):
        log.append("search", staff=f"E-{worker:03d}", login=f"u{worker}", query=f"q{i}")


def test_concurrent_writers_share_one_key_and_never_interleave_or_lose(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(tmp_path, w, 50)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    log = quiet(tmp_path)
    records = list(log.records())
    assert [r["seq"] for r in records] == list(range(1, 201))
    for w in range(4):  # each writer's records all there, in its own order
        mine = [r["query"] for r in records if r["staff"] == f"E-{w:03d}"]
        assert mine == [f"q{i}" for i in range(50)]
    assert {r["key_id"] for r in records} == {the_key(log).id}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.head", "audit.jsonl",
                                                           "audit.key"]
    assert log.verify().ok


def test_the_head_goes_to_the_system_log(tmp_path):
    address = tmp_path / "log.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(str(address))
        listener.settimeout(5)
        log = AuditLog(tmp_path / ".archive", syslog_address=address)
        records = fill(log, 2)
        received = [listener.recv(4096).decode() for _ in records]
    assert log.name == str(tmp_path.resolve())
    for record, line in zip(records, received, strict=True):
        assert line.startswith("<14>archive-tool[")
        assert line.endswith(f": audit head {log.name} seq={record['seq']}"
                             f" hash={record['hash']}")
    heard = AuditLog(log.path.parent, system_log=lambda: ("test socket", "\n".join(received)))
    verdict = heard.verify()
    assert verdict.ok
    assert "test socket recorded 2 heads for this log, up to record 2: each matches the log" \
        in verdict.checked


def test_without_a_system_log_appends_work_and_verify_says_what_it_cannot_rule_out(tmp_path):
    log = quiet(tmp_path)
    fill(log, 2)
    assert not (tmp_path / "nobody.sock").exists()
    verdict = log.verify()
    assert verdict.ok
    assert verdict.not_ruled_out == [
        "a rewrite by whoever holds the key: no system log could be read (journalctl,"
        " /var/log/syslog, /var/log/messages)"]
    other = quiet(tmp_path, "audit head /elsewhere seq=1 hash=" + "a" * 64)
    assert other.verify().not_ruled_out == [
        f"a rewrite by whoever holds the key: test log has no audit head for {log.name}"]


def test_the_system_log_catches_a_rewrite_with_the_key(tmp_path):
    log = quiet(tmp_path)
    original = fill(log, 5)
    records = parsed(log)
    records[2]["login"] = "eva"
    key = the_key(log)
    rechain(log, records, lambda r: keyed_hash(r, key))
    assert log.verify().ok  # the key holder's rewrite passes the chain, the MACs and the head
    verdict = quiet(tmp_path, heads_text(log, original)).verify()
    assert not verdict.ok
    assert verdict.message == (
        "audit.jsonl line 3 (record 3) is not the record test log recorded as head 3: the log"
        " was rewritten by whoever holds the key (or that system log line is forged)")
    fill(log, 1)  # only the last head logged: still caught
    assert not quiet(tmp_path, heads_text(log, original[-1:])).verify().ok


def test_the_system_log_catches_a_cut_with_the_head_rewritten(tmp_path):
    log = quiet(tmp_path)
    records = fill(log, 5)
    log.path.write_text("".join(lines(log)[:3]))
    log.head.write_text(f"3 {records[2]['hash']}\n")
    assert log.verify().ok
    verdict = quiet(tmp_path, heads_text(log, records)).verify()
    assert verdict.message == ("test log recorded record 5 as the head, but audit.jsonl ends"
                               " at record 3: records were cut from the end")
    partial = quiet(tmp_path, heads_text(log, records[:2])).verify()
    assert partial.ok
    assert partial.not_ruled_out == ["a rewrite of record 3 by whoever holds the key: the"
                                     " system log has no head past record 2"]


def test_record_fields(tmp_path):
    r = quiet(tmp_path).append("show", staff="E-001", login="ana", client="CL-0001",
                               path="clients/CL-0001/client.yaml", query="caf\udce9")
    assert {"seq", "at", "staff", "login", "action", "client", "path", "query", "outcome",
            "host", "pid", "prev", "hash", "mac", "key_id"} <= set(r)
    assert r["at"].endswith("+00:00")
    assert r["query"] == "caf\\udce9"


def test_a_damaged_key_is_replaced_and_named(tmp_path):
    log = quiet(tmp_path)
    fill(log, 1)
    before = hashlib.sha256(log.key_path.read_bytes()).hexdigest()
    log.key_path.write_bytes(b"damaged")
    fill(log, 1)  # a damaged key is replaced, and verify names it
    assert the_key(log).since == 2
    assert hashlib.sha256(log.key_path.read_bytes()).hexdigest() != before
    assert stat.S_IMODE(log.key_path.stat().st_mode) == 0o600
    assert "the key was replaced" in log.verify().message


def test_cli_audit_filters_and_verify(run, root):
    run("client", "show", "CL-0001")
    run("search", "levante")
    result = run("--json", "audit", "--client", "CL-0001")
    actions = [r["action"] for r in json.loads(result.stdout)["records"]]
    assert "show" in actions and "search" not in actions
    verified = run("audit", "--verify")
    assert verified.stdout.startswith("ok: ")
    assert "\n  checked: audit.head names record" in verified.stdout
    assert "\n  not ruled out: a rewrite by whoever holds the key" in verified.stdout
    as_json = json.loads(run("--json", "audit", "--verify").stdout)
    assert {"ok", "records", "message", "checked", "not_ruled_out"} <= set(as_json)
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
