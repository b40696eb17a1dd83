"""Signed-in people, kept in the service's memory: a random token in the cookie, the
login and the form token on the server. Signing out, going idle, a long day's end or
the service's restart end a session; so does leaving the company (the page checks
staff.yaml at every request)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

IDLE_SECONDS = 2 * 3600
LONGEST_SECONDS = 12 * 3600
MAX_SESSIONS = 10_000


@dataclass
class WebSession:
    token: str
    login: str
    csrf: str
    started: float
    seen: float


class Sessions:
    def __init__(self, *, idle: float = IDLE_SECONDS, longest: float = LONGEST_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self.idle = idle
        self.longest = longest
        self.clock = clock
        self.by_token: dict[str, WebSession] = {}
        self.lock = threading.Lock()
        self.secret = secrets.token_bytes(32)

    def start(self, login: str) -> WebSession:
        now = self.clock()
        session = WebSession(secrets.token_urlsafe(32), login, secrets.token_urlsafe(32),
                             now, now)
        with self.lock:
            self._forget_expired(now)
            if len(self.by_token) >= MAX_SESSIONS:  # the oldest goes first
                oldest = min(self.by_token.values(), key=lambda s: s.seen)
                self.by_token.pop(oldest.token, None)
            self.by_token[session.token] = session
        return session

    def get(self, token: str | None) -> WebSession | None:
        if not token:
            return None
        now = self.clock()
        with self.lock:
            session = self.by_token.get(token)
            if session is None:
                return None
            if self._expired(session, now):
                self.by_token.pop(token, None)
                return None
            session.seen = now
            return session

    def end(self, token: str) -> None:
        with self.lock:
            self.by_token.pop(token, None)

    def _expired(self, session: WebSession, now: float) -> bool:
        return now - session.seen > self.idle or now - session.started > self.longest

    def _forget_expired(self, now: float) -> None:
        for token in [t for t, s in self.by_token.items() if self._expired(s, now)]:
            del self.by_token[token]

    # --- the form token before signing in: bound to a random cookie ---------------------

    def visitor_token(self, visitor: str) -> str:
        return hmac.new(self.secret, visitor.encode(), hashlib.sha256).hexdigest()

    def visitor_token_ok(self, visitor: str | None, given: str | None) -> bool:
        return bool(visitor and given) and hmac.compare_digest(
            self.visitor_token(str(visitor)), str(given))
