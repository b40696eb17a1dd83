"""Who signs in on the web page: the OS account's own password, checked by the
system's PAM (so a server joined to a domain accepts the desktop's password), and a
guard that slows down guessing, per login and per address."""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

PAM_SERVICE = "archive-tool"  # /etc/pam.d/archive-tool, else PAM's "other" (common-*)
# POSIX logins and directory ones (ana.ruiz, ana@EMPRESA): no spaces, controls or '/'.
LOGIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,63}\$?")
MAX_PASSWORD = 1024


def valid_login(login: str) -> bool:
    return bool(LOGIN.fullmatch(login))


def check_password(login: str, password: str, remote: str,
                   service: str = PAM_SERVICE) -> bool:
    """Whether PAM accepts this login and password and lets the account in now
    (pam_authenticate, then pam_acct_mgmt: an expired or locked account is refused).
    PAM's own delay after a wrong password (about 2 s with pam_unix) is kept."""
    import pamela

    if not valid_login(login) or not password or len(password) > MAX_PASSWORD \
            or "\x00" in password:
        return False
    conv = pamela.new_simple_password_conv([password], "utf-8")
    try:
        handle = pamela.pam_start(service, login, conv_func=conv)
    except pamela.PAMError:
        return False
    code = 0
    try:
        handle.set_item(pamela.PAM_RHOST, remote or "unknown")
        code = pamela.PAM_AUTHENTICATE(handle, 0)
        if code == pamela.PAM_SUCCESS:
            code = pamela.PAM_ACCT_MGMT(handle, 0)
    finally:
        pamela.PAM_END(handle, code)
    return code == pamela.PAM_SUCCESS


@dataclass
class _Record:
    failures: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0


class Guard:
    """Failed sign-ins per login and per address. After `per_login` failures within
    `window` seconds a login waits `base` seconds before its next try, doubling with
    each further failure up to `longest`; an address after `per_address` failures the
    same. A try while waiting is refused without asking PAM."""

    def __init__(self, *, per_login: int = 5, per_address: int = 20, window: float = 900.0,
                 base: float = 30.0, longest: float = 900.0, keep: int = 10_000,
                 clock: Callable[[], float] = time.monotonic):
        self.limits = {"login": per_login, "address": per_address}
        self.window = window
        self.base = base
        self.longest = longest
        self.keep = keep
        self.clock = clock
        self.records: OrderedDict[tuple[str, str], _Record] = OrderedDict()
        self.lock = threading.Lock()

    def _keys(self, login: str, address: str) -> list[tuple[str, str]]:
        return [("login", login.lower()), ("address", address)]

    def wait(self, login: str, address: str) -> float:
        """Seconds before this login may try again from this address (0: now)."""
        now = self.clock()
        with self.lock:
            return max([r.locked_until - now for k in self._keys(login, address)
                        if (r := self.records.get(k)) is not None] + [0.0])

    def failed(self, login: str, address: str) -> None:
        now = self.clock()
        with self.lock:
            for key in self._keys(login, address):
                record = self.records.pop(key, None) or _Record()
                self.records[key] = record
                record.failures.append(now)
                while record.failures and record.failures[0] < now - self.window:
                    record.failures.popleft()
                over = len(record.failures) - self.limits[key[0]]
                if over >= 0:
                    record.locked_until = now + min(self.longest, self.base * 2 ** over)
            while len(self.records) > self.keep:
                self.records.popitem(last=False)

    def succeeded(self, login: str) -> None:
        with self.lock:
            self.records.pop(("login", login.lower()), None)
