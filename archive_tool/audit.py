"""The audit log: who read or changed what, when, from where, with what outcome.

JSON Lines in .archive/audit.jsonl. Each record carries the hash of the one before
it and its own, an HMAC-SHA256 of its content under the secret in .archive/audit.key
that only the service account can read: editing, removing or reordering a line
breaks the chain at that line, and nobody without the key can mend it. audit.head
keeps the last record's seq and hash, so a cut at the end shows; each append also
sends that head to the system log, out of the service account's reach, so a rewrite
by whoever holds the key shows too. Records from before the key (a plain sha256
chain) still verify, as what they are.

Appends hold an exclusive lock on the file, are written in one write() and fsynced:
the daemon and many CLI calls never interleave.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import syslog
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from archive_tool.i18n import N_, _, ngettext
from archive_tool.statedir import AUDIT, AUDIT_HEAD, AUDIT_KEY, STATE_DIR

AUDIT_FILE = AUDIT
HEAD_FILE = AUDIT_HEAD
KEY_FILE = AUDIT_KEY
GENESIS = "0" * 64
TAIL_BYTES = 1 << 16
MAC = "hmac-sha256"
IDENT = "archive-tool"
SYSTEM_LOG_FILES = ("/var/log/syslog", "/var/log/messages")

_HEAD = re.compile(r"(\d+) ([0-9a-f]{64})\s*", re.ASCII)
_LOGGED_HEAD = re.compile(
    r"audit head (?P<root>.+) seq=(?P<seq>\d+) hash=(?P<hash>[0-9a-f]{64})\s*$", re.ASCII)

SystemLogReader = Callable[[], tuple[str, str] | None]


@dataclass(frozen=True)
class AuditKey:
    secret: bytes = field(repr=False)
    since: int  # the first record keyed with it

    @property
    def id(self) -> str:
        return hashlib.sha256(b"archive-tool audit key id\0" + self.secret).hexdigest()[:16]

    def dump(self) -> bytes:
        return f"secret={self.secret.hex()}\nsince={self.since}\n".encode("ascii")

    @classmethod
    def parse(cls, blob: bytes) -> AuditKey | None:
        try:
            fields = dict(line.split("=", 1) for line in blob.decode("ascii").split())
            secret, since = bytes.fromhex(fields["secret"]), int(fields["since"])
        except (ValueError, KeyError):
            return None
        return cls(secret, since) if len(secret) == 32 and since >= 1 else None


def _body(record: dict) -> bytes:
    body = {k: v for k, v in record.items() if k != "hash"}
    blob = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return blob.encode("utf-8", "surrogatepass")


def plain_hash(record: dict) -> str:
    """The hash of an older, unkeyed record."""
    return hashlib.sha256(_body(record)).hexdigest()


def keyed_hash(record: dict, key: AuditKey) -> str:
    return hmac.new(key.secret, _body(record), hashlib.sha256).hexdigest()


def _clean(value: str | None) -> str | None:
    """Undecodable bytes (surrogates) as visible escapes, so the line is UTF-8."""
    if value is None:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def _span(first: int, last: int) -> str:
    if first == last:
        return _("record {n}").format(n=first)
    return _("records {first} to {last}").format(first=first, last=last)


def _said(one: str, many: str, first: int, last: int, **values: object) -> str:
    """A sentence about record first (one) or records first to last (many)."""
    if first == last:
        return _(one).format(n=first, **values)
    return _(many).format(first=first, last=last, **values)


def _records(n: int) -> str:
    return ngettext("{n} record", "{n} records", n).format(n=n)


def _kind(value: object) -> str:
    if isinstance(value, list):
        return _("a JSON array")
    if isinstance(value, str):
        return _("a JSON string")
    if value is None or isinstance(value, bool):
        return f"JSON {json.dumps(value)}"
    return _("a JSON number")


NOT_UTF8 = N_("it is not UTF-8 text")
NOT_JSON = N_("it is not JSON")
NO_CHAIN = N_("it lacks a seq, prev or hash")


def _parse(raw: bytes) -> tuple[dict | None, str]:
    """A record, or why the line is none (to be translated where it is shown)."""
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, NOT_UTF8
    except (ValueError, RecursionError):
        return None, NOT_JSON
    if not isinstance(value, dict):
        return None, _("it is {kind}, not an object").format(kind=_kind(value))
    if (type(value.get("seq")) is not int or not isinstance(value.get("hash"), str)
            or not isinstance(value.get("prev"), str)):
        return None, NO_CHAIN
    return value, ""


def _last(fd: int) -> tuple[int, str, bool]:
    """The last record's seq and hash, damaged lines after it counted as records; and
    whether the file ends with a newline."""
    size = os.fstat(fd).st_size
    if size == 0:
        return 0, GENESIS, True
    start = max(0, size - TAIL_BYTES)
    while True:
        blob = os.pread(fd, size - start, start)
        lines = [line for line in blob.split(b"\n")[1 if start else 0:] if line.strip()]
        for skipped, line in enumerate(reversed(lines)):
            record, _why = _parse(line)
            if record is not None:
                return record["seq"] + skipped, record["hash"], blob.endswith(b"\n")
        if start == 0:
            return len(lines), GENESIS, blob.endswith(b"\n")
        start = 0


def read_system_log() -> tuple[str, str] | None:
    """The archive-tool lines of the system log and where they came from: the journal
    when journalctl answers, else the first readable syslog file; None if none."""
    answered = False
    journalctl = shutil.which("journalctl")
    if journalctl:
        try:
            out = subprocess.run([journalctl, "-t", IDENT, "-o", "cat", "--no-pager"],
                                 capture_output=True, text=True, errors="replace",
                                 timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired):
            pass
        else:
            answered = out.returncode == 0
            if answered and out.stdout.strip():
                return "journalctl", out.stdout
    for name in SYSTEM_LOG_FILES:
        try:
            text = Path(name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        return name, "\n".join(line for line in text.splitlines() if IDENT in line)
    return ("journalctl", "") if answered else None


_syslog_opened = False


def _to_syslog(line: str) -> None:
    global _syslog_opened
    if not _syslog_opened:
        syslog.openlog(IDENT, syslog.LOG_PID, syslog.LOG_USER)
        _syslog_opened = True
    syslog.syslog(syslog.LOG_INFO, line)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    records: int
    message: str
    checked: list[str] = field(default_factory=list)
    not_ruled_out: list[str] = field(default_factory=list)


class AuditLog:
    def __init__(self, state_dir: Path, *, syslog_address: str | os.PathLike[str] | None = None,
                 system_log: SystemLogReader = read_system_log):
        """syslog_address: a Unix datagram socket for the heads instead of the stdlib
        syslog; system_log: where verify reads the heads back."""
        state_dir = Path(state_dir)
        self.path = state_dir / AUDIT_FILE
        self.head = state_dir / HEAD_FILE
        self.key_path = state_dir / KEY_FILE
        folder = state_dir.resolve()  # the system log names the log by its archive's root
        self.name = str(folder.parent if folder.name == STATE_DIR else folder)
        self.syslog_address = None if syslog_address is None else os.fspath(syslog_address)
        self.system_log = system_log

    def append(self, action: str, *, staff: str | None, login: str | None,
               outcome: str = "ok", client: str | None = None, path: str | None = None,
               query: str | None = None, detail: str | None = None) -> dict:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            seq, prev, whole = _last(fd)
            key = self._key(seq + 1)
            now = datetime.now(UTC).isoformat(timespec="microseconds")
            record: dict[str, object] = {
                "seq": seq + 1, "at": now, "staff": staff, "login": login, "action": action,
                "client": client, "path": _clean(path), "query": _clean(query),
                "outcome": outcome, "detail": _clean(detail), "host": socket.gethostname(),
                "pid": os.getpid(), "prev": prev, "mac": MAC, "key_id": key.id}
            digest = record["hash"] = keyed_hash(record, key)
            line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
            os.write(fd, (line if whole else "\n" + line).encode("utf-8"))
            os.fsync(fd)
            self._write_head(seq + 1, digest)
        finally:
            os.close(fd)  # closing releases the lock
        self._announce(seq + 1, digest)
        return record

    def _key(self, next_seq: int) -> AuditKey:
        """The key, made (0600) when missing or damaged; a key that cannot be read is
        an error: only the service account writes records."""
        try:
            blob: bytes | None = self.key_path.read_bytes()
        except FileNotFoundError:
            blob = None
        key = AuditKey.parse(blob) if blob is not None else None
        if key is not None:
            return key
        key = AuditKey(secrets.token_bytes(32), next_seq)
        tmp = self.key_path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            try:
                os.fchmod(fd, 0o600)
                os.write(fd, key.dump())
                os.fsync(fd)
            finally:
                os.close(fd)
            if blob is not None:
                tmp.replace(self.key_path)
            else:
                try:
                    os.link(tmp, self.key_path)
                except FileExistsError:
                    return self._key(next_seq)
        finally:
            tmp.unlink(missing_ok=True)
        folder = os.open(self.key_path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
        return key

    def _write_head(self, seq: int, digest: str) -> None:
        tmp = self.head.with_name(f".{HEAD_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            try:
                os.write(fd, f"{seq} {digest}\n".encode("ascii"))
            finally:
                os.close(fd)
            tmp.replace(self.head)
        finally:
            tmp.unlink(missing_ok=True)

    def _announce(self, seq: int, digest: str) -> None:
        """The head to the system log; nothing is sent when there is none."""
        line = f"audit head {self.name} seq={seq} hash={digest}"
        if self.syslog_address is None:
            _to_syslog(line)
            return
        with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.sendto(f"<14>{IDENT}[{os.getpid()}]: {line}".encode(), self.syslog_address)

    def records(self) -> Iterator[dict]:
        try:
            f = self.path.open("rb")
        except FileNotFoundError:
            return
        with f:
            for line in f:
                if line.strip():
                    record, _why = _parse(line)
                    if record is None:
                        try:
                            value = json.loads(line)
                        except (ValueError, RecursionError):
                            value = None
                        record = value if isinstance(value, dict) else {
                            "unreadable": line.decode("utf-8", "replace").rstrip("\n")}
                    yield record

    def read_key(self) -> tuple[AuditKey | None, str]:
        """The key, or why there is none."""
        try:
            key = AuditKey.parse(self.key_path.read_bytes())
        except FileNotFoundError:
            return None, _("{file} is missing: the key was removed").format(file=KEY_FILE)
        except OSError as e:
            return None, _("{file} cannot be read here ({problem})").format(
                file=KEY_FILE, problem=e.strerror)
        return (key, "") if key is not None else (
            None, _("{file} is damaged").format(file=KEY_FILE))

    def logged_heads(self) -> tuple[dict[int, set[str]] | None, str]:
        """The heads the system log recorded for this log, and where they came from."""
        found = self.system_log()
        if found is None:
            tried = ", ".join(("journalctl", *SYSTEM_LOG_FILES))
            return None, _("no system log could be read ({tried})").format(tried=tried)
        source, text = found
        heads: dict[int, set[str]] = {}
        for line in text.splitlines():
            m = _LOGGED_HEAD.search(line)
            if m and m["root"] == self.name:
                heads.setdefault(int(m["seq"]), set()).add(m["hash"])
        return heads, source

    def verify(self) -> Verdict:
        """Walk the chain; name the first record that was edited, removed or moved; say
        what was checked and what these checks cannot rule out."""
        heads, source = self.logged_heads()
        key, key_problem = self.read_key()
        try:
            f = self.path.open("rb")
        except FileNotFoundError:
            return _Check(self, key, key_problem, heads, source).run(iter(()))
        with f:
            fcntl.flock(f.fileno(), fcntl.LOCK_SH)
            return _Check(self, key, key_problem, heads, source).run(enumerate(f, 1))


class _Check:
    """One walk over the log, with what it found."""

    def __init__(self, log: AuditLog, key: AuditKey | None, key_problem: str,
                 heads: dict[int, set[str]] | None, source: str):
        self.log, self.key, self.key_problem = log, key, key_problem
        self.heads, self.source = heads, source
        self.prev, self.seq, self.records = GENESIS, 0, 0
        self.unkeyed = 0  # the last seq of the older unkeyed prefix
        self.first_keyed: int | None = None
        self.head, self.head_problem = self._read_head()
        self.head_missing = self.head is None and self.head_problem == _("missing")
        self.hash_at_head: str | None = None
        self.checked: list[str] = []
        self.not_ruled_out: list[str] = []

    def _read_head(self) -> tuple[tuple[int, str] | None, str]:
        try:
            text = self.log.head.read_bytes().decode("utf-8", "replace")
        except FileNotFoundError:
            return None, _("missing")
        except OSError as e:
            return None, _("unreadable ({problem})").format(problem=e.strerror)
        m = _HEAD.fullmatch(text)
        if m is None:
            return None, _("damaged ({text} is not '<seq> <hash>')").format(
                text=repr(text.strip()[:40]))
        return (int(m[1]), m[2]), ""

    def verdict(self, ok: bool, message: str) -> Verdict:
        return Verdict(ok, self.records, message, self.checked, self.not_ruled_out)

    def run(self, lines: Iterator[tuple[int, bytes]]) -> Verdict:
        for n, raw in lines:
            if raw.strip():
                self.records += 1
                damage = self._line(n, raw, lines)
                if damage:
                    self._summary()
                    if self.head_problem:
                        self.checked.append(_("also: {file} is {problem}").format(
                            file=HEAD_FILE, problem=self.head_problem))
                    return self.verdict(False, damage)
        self._summary()
        problems = [p for p in (self._key_use(), self._head_check(), self._logged_check()) if p]
        if problems:
            self.checked.extend(_("also: {what}").format(what=p) for p in problems[1:])
            return self.verdict(False, problems[0])
        if self.unkeyed:
            message = _said(N_("{records}, chain intact; record {n} is older and unkeyed"),
                            N_("{records}, chain intact; records {first} to {last} are older"
                               " and unkeyed"), 1, self.unkeyed,
                            records=_records(self.records))
        else:
            message = _("{records}, chain intact").format(records=_records(self.records))
        return self.verdict(True, message)

    def _line(self, n: int, raw: bytes, rest: Iterator[tuple[int, bytes]]) -> str | None:
        where = _("{file} line {n}").format(file=AUDIT_FILE, n=n)
        record, why = _parse(raw)
        if record is None:
            return _("{where} is not a record ({why}): it was edited or inserted").format(
                where=where, why=_(why))
        seq, digest = record["seq"], record["hash"]
        what = _("{where} (record {seq})").format(where=where, seq=seq)
        damage = self._seal(what, record)
        if damage:
            return damage
        if record["prev"] != self.prev:
            return self._misplaced(where, record, rest)
        if seq != self.seq + 1:
            return _("{what} follows record {before} but is numbered {seq}: it was"
                     " renumbered").format(what=what, before=self.seq, seq=seq)
        logged = (self.heads or {}).get(seq)
        if logged and logged != {digest}:
            return _("{what} is not the record {source} recorded as head {seq}: the log was"
                     " rewritten by whoever holds the key (or that system log line is"
                     " forged)").format(what=what, source=self.source, seq=seq)
        if self.head and self.head[0] == seq:
            self.hash_at_head = digest
        self.prev, self.seq = digest, seq
        return None

    def _seal(self, what: str, record: dict) -> str | None:
        """Does the record's hash or MAC match its content?"""
        mac = record.get("mac")
        if mac is None:
            since = self.first_keyed or (self.key.since if self.key else None)
            if since is not None and (self.first_keyed or record["seq"] >= since):
                return _("{what} is not keyed, though records are keyed from record {since}"
                         " on: it was written or rewritten without the key").format(
                             what=what, since=since)
            if record["hash"] != plain_hash(record):
                return _("{what} was edited: its hash does not match its content").format(
                    what=what)
            self.unkeyed = record["seq"]
            return None
        if mac != MAC:
            return _("{what} names an unknown MAC ({mac}): it was edited").format(
                what=what, mac=repr(str(mac)[:20]))
        if self.key is None:
            return _("{what} is keyed, but {problem}, so keyed records cannot be checked"
                     ).format(what=what, problem=self.key_problem)
        if record.get("key_id") != self.key.id:
            if record["seq"] < self.key.since:
                return _("{what} was keyed with another key than the present {file} (in use"
                         " from record {since} on): the key was replaced").format(
                             what=what, file=KEY_FILE, since=self.key.since)
            return _("{what} was edited: it names another key than {file}").format(
                what=what, file=KEY_FILE)
        digest = record["hash"].encode("utf-8", "surrogatepass")
        if not hmac.compare_digest(digest, keyed_hash(record, self.key).encode("ascii")):
            return _("{what} was edited: its MAC does not match its content").format(
                what=what)
        if self.first_keyed is None:
            self.first_keyed = record["seq"]
        return None

    def _misplaced(self, where: str, record: dict, rest: Iterator[tuple[int, bytes]]) -> str:
        seq, expected = record["seq"], self.seq + 1
        what = _("{where} (record {seq})").format(where=where, seq=seq)
        if seq == self.seq and record["hash"] == self.prev:
            return _("{what} repeats the record before it: it was copied").format(what=what)
        if seq <= self.seq:
            return _("{what} is out of order: it comes after record {before} (records swapped"
                     " or moved)").format(what=what, before=self.seq)
        if seq == expected:
            return _("{what} does not follow record {before} before it: a record before it"
                     " was replaced").format(what=what, before=self.seq)
        for m, raw in rest:
            later, _why = _parse(raw)
            if later is not None and expected <= later["seq"] < seq:
                return _("{what} is out of order: record {later} comes after it, at line {line}"
                         " (records swapped or moved)").format(what=what, later=later["seq"],
                                                               line=m)
        return _said(N_("{where}: record {n} was removed before it"),
                     N_("{where}: records {first} to {last} were removed before it"),
                     expected, seq - 1, where=where)

    def _summary(self) -> None:
        """What the walk established, however far it got."""
        if not self.records:
            self.checked.append(_("{file} holds no records").format(file=AUDIT_FILE))
            return
        if self.seq:
            read = ngettext("{n} record read; each one up to record {seq} links to the one"
                            " before it",
                            "{n} records read; each one up to record {seq} links to the one"
                            " before it", self.records).format(n=self.records, seq=self.seq)
        else:
            read = ngettext("{n} record read", "{n} records read", self.records).format(
                n=self.records)
        self.checked.append(read)
        if self.unkeyed:
            self.checked.append(_said(
                N_("record {n} is older and unkeyed: its sha256 matches its content"),
                N_("records {first} to {last} are older and unkeyed: each one's sha256"
                   " matches its content"), 1, self.unkeyed))
            self.not_ruled_out.append(_("a rewrite of {span} by anyone who could write"
                                        " {file}: older than the key").format(
                                            span=_span(1, self.unkeyed), file=AUDIT_FILE))
        if self.first_keyed is not None:
            self.checked.append(_said(
                N_("record {n} is keyed: its HMAC-SHA256 with {file} matches its content"),
                N_("records {first} to {last} are keyed: each one's HMAC-SHA256 with {file}"
                   " matches its content"), self.first_keyed, self.seq, file=KEY_FILE))

    def _key_use(self) -> str | None:
        if self.key is not None and self.seq < self.key.since:
            return _("{key} is in use from record {since} on, but {file} ends at record"
                     " {seq}: keyed records were removed").format(
                         key=KEY_FILE, since=self.key.since, file=AUDIT_FILE, seq=self.seq)
        return None

    def _head_check(self) -> str | None:
        name = HEAD_FILE
        if self.head is None:
            if self.head_missing and not self.records:
                self.checked.append(_("no {file}: nothing was written").format(file=name))
                return None
            return _("{file} is {problem}: a cut at the end cannot be checked with it").format(
                file=name, problem=self.head_problem)
        head_seq, head_hash = self.head
        if head_seq > self.seq:
            return _("{file} ends at record {seq} but record {head} was written: records were"
                     " cut from the end").format(file=AUDIT_FILE, seq=self.seq, head=head_seq)
        if head_seq == self.seq and head_hash != self.prev or (
                head_seq < self.seq and head_hash != self.hash_at_head):
            return _("{file} names record {head} with another hash than the log's: the log was"
                     " rewritten, or the head edited").format(file=name, head=head_seq)
        if head_seq < self.seq:
            self.checked.append(_("{file} names record {head}, but the log goes on to record"
                                  " {seq}: the head was not updated (a crash?)").format(
                                      file=name, head=head_seq, seq=self.seq))
        else:
            self.checked.append(_("{file} names record {head}, the last one: nothing was cut"
                                  " from the end").format(file=name, head=head_seq))
        return None

    def _logged_check(self) -> str | None:
        if self.heads is None:
            self.not_ruled_out.append(_("a rewrite by whoever holds the key: {why}").format(
                why=self.source))
            return None
        if not self.heads:
            self.not_ruled_out.append(_("a rewrite by whoever holds the key: {source} has no"
                                        " audit head for {log}").format(source=self.source,
                                                                        log=self.log.name))
            return None
        last = max(self.heads)
        if last > self.seq:
            return _("{source} recorded record {last} as the head, but {file} ends at record"
                     " {seq}: records were cut from the end").format(
                         source=self.source, last=last, file=AUDIT_FILE, seq=self.seq)
        self.checked.append(ngettext(
            "{source} recorded {n} head for this log, up to record {last}: each matches the"
            " log",
            "{source} recorded {n} heads for this log, up to record {last}: each matches the"
            " log", len(self.heads)).format(source=self.source, n=len(self.heads), last=last))
        if last < self.seq:
            self.not_ruled_out.append(_("a rewrite of {span} by whoever holds the key: the"
                                        " system log has no head past record {last}").format(
                                            span=_span(last + 1, self.seq), last=last))
        return None
