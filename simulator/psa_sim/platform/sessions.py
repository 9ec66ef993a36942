"""Sessions: who a `sessionid` header stands for, kept across restarts without keeping
anything an attacker could use.

A session id is 128 random bits given once to its client. The server keeps only its
SHA-256 (enough for an id that cannot be guessed), the user's name, a stamp of the user's
entry in the users file (an HMAC under the journal's key, so it reveals nothing about the
password) and when it was last used (wall clock, epoch seconds). At start, sessions idle
longer than the timeout, of users no longer in the users file, or whose password changed
(their stamp differs) are dropped: a password change ends its user's sessions.

Thread-safe: the HTTP layer checks sessions (before reading any body) on the event loop
while the simulation may run on a thread of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from dataclasses import dataclass

from psa_sim.errors import Unauthorized
from psa_sim.platform.auth import User
from psa_sim.platform.journal import Journal

log = logging.getLogger("psa_sim.sessions")

# A session unused this long (wall seconds) is gone, as on a real scheduler.
DEFAULT_SESSION_IDLE_TIMEOUT = 3600.0


def id_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(slots=True)
class _Session:
    username: str
    last_used: float


class SessionStore:
    def __init__(
        self,
        users: dict[str, User],
        journal: Journal,
        idle_timeout: float = DEFAULT_SESSION_IDLE_TIMEOUT,
    ) -> None:
        self.users = users
        self.journal = journal
        self.idle_timeout = idle_timeout
        self._lock = threading.Lock()
        self._sessions: dict[str, _Session] = {}
        self._used: dict[str, float] = {}  # last uses not yet saved (see flush)
        self._load()

    def stamp(self, user: User) -> str:
        """Changes when the user's password (or admin flag) changes in the users file."""
        entry = f"{user.name}\0{user.password}\0{int(user.admin)}".encode()
        return hmac.new(self.journal.key, entry, hashlib.sha256).hexdigest()[:32]

    def _load(self) -> None:
        now = time.time()
        dropped = []
        for key, username, stamp, last_used in self.journal.sessions():
            user = self.users.get(username)
            if user is None or stamp != self.stamp(user) or now - last_used > self.idle_timeout:
                dropped.append(key)
            else:
                self._sessions[key] = _Session(username, last_used)
        if dropped:
            log.info("%d session(s) ended: expired, or their user changed", len(dropped))
            self.journal.drop_sessions(dropped)

    def open(self, user: User) -> str:
        """A new session for `user` (saved before its id is given out)."""
        session_id = secrets.token_hex(16)
        key = id_hash(session_id)
        now = time.time()
        self.journal.save_session(key, user.name, self.stamp(user), now)
        with self._lock:
            self._sessions[key] = _Session(user.name, now)
        return session_id

    def close(self, session_id: str | None) -> bool:
        """End the session; False if there was none to end."""
        if not session_id:
            return False
        key = id_hash(session_id)
        with self._lock:
            session = self._sessions.pop(key, None)
            self._used.pop(key, None)
        if session is None:
            return False
        self.journal.drop_sessions([key])
        return True

    def user(self, session_id: str | None) -> User:
        """The session's user (its idleness measured on the wall clock), or 401."""
        if not session_id:
            raise Unauthorized("sessionid: a session is required (log in at /rest/common/login)")
        key = id_hash(session_id)
        now = time.time()
        with self._lock:
            session = self._sessions.get(key)
            if session is not None and now - session.last_used > self.idle_timeout:
                del self._sessions[key]
                self._used.pop(key, None)
                session = None
            if session is None:
                raise Unauthorized("sessionid: unknown or expired session")
            session.last_used = now
            self._used[key] = now
            username = session.username
        return self.users[username]

    def is_valid(self, session_id: str | None) -> bool:
        try:
            self.user(session_id)
        except Unauthorized:
            return False
        return True

    def flush(self) -> None:
        """Save the last uses since the previous flush (the periodic checkpoint calls it;
        a failure is the caller's to log: the uses are kept for the next try)."""
        with self._lock:
            used, self._used = self._used, {}
        try:
            self.journal.touch_sessions(used)
        except Exception:
            with self._lock:
                for key, last in used.items():
                    self._used.setdefault(key, last)
            raise
