"""Users (from a YAML file, or the demo admin) and their sessions."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from pathlib import Path

import yaml

from psa_sim.errors import InvalidInput, Unauthorized

DEMO_USER = ("admin", "admin")
# A session unused this long (wall seconds) is gone, as on a real scheduler.
DEFAULT_SESSION_IDLE_TIMEOUT = 3600.0


@dataclass(frozen=True, slots=True)
class User:
    name: str
    password: str
    admin: bool = False


def load_users(path: str | Path | None) -> dict[str, User]:
    """Users from a YAML list of {name, password, admin}; the demo admin without a file."""
    if path is None:
        return {DEMO_USER[0]: User(DEMO_USER[0], DEMO_USER[1], admin=True)}
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"users: cannot read '{path}': {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise InvalidInput(f"users: '{path}' is not valid YAML: {exc}") from None
    if isinstance(data, dict) and "users" in data:
        data = data["users"]
    if not isinstance(data, list) or not data:
        raise InvalidInput(
            f"users: '{path}' must hold a non-empty list of {{name, password, admin}}"
        )
    users: dict[str, User] = {}
    for i, entry in enumerate(data):
        if not isinstance(entry, dict) or set(entry) - {"name", "password", "admin"}:
            raise InvalidInput(f"users[{i}]: {entry!r} is not {{name, password, admin}}")
        name, password = entry.get("name"), entry.get("password")
        if not isinstance(name, str) or not name or not isinstance(password, str):
            raise InvalidInput(f"users[{i}]: name and password must be non-empty strings")
        if name in users:
            raise InvalidInput(f"users[{i}].name: '{name}' appears twice")
        users[name] = User(name, password, bool(entry.get("admin", False)))
    return users


class Sessions:
    """Session id → user name, with an idle timeout measured on the wall clock."""

    def __init__(
        self, users: dict[str, User], idle_timeout: float = DEFAULT_SESSION_IDLE_TIMEOUT
    ) -> None:
        self.users = users
        self.idle_timeout = idle_timeout
        self._sessions: dict[str, list] = {}  # id → [user name, last used]

    def check_password(self, username: str, password: str) -> User:
        user = self.users.get(username)
        # compare_digest: the answer's timing does not tell how much of it matched.
        if user is None or not hmac.compare_digest(user.password.encode(), password.encode()):
            raise Unauthorized("login: bad username or password")
        return user

    def open(self, session_id: str, username: str, now: float | None) -> None:
        """`now` None (a replay): the session counts as used at its next request."""
        self._sessions[session_id] = [username, now]

    def owners(self) -> list[tuple[str, str]]:
        return [(sid, entry[0]) for sid, entry in self._sessions.items()]

    def close(self, session_id: str | None) -> None:
        if session_id:
            self._sessions.pop(session_id, None)

    def user(self, session_id: str | None, now: float | None) -> User:
        """The session's user; `now` None (a replay) skips the idle check."""
        if not session_id:
            raise Unauthorized("sessionid: a session is required (log in at /rest/common/login)")
        entry = self._sessions.get(session_id)
        if entry is None:
            raise Unauthorized("sessionid: unknown or expired session")
        if now is not None:
            if entry[1] is not None and now - entry[1] > self.idle_timeout:
                del self._sessions[session_id]
                raise Unauthorized("sessionid: unknown or expired session")
            entry[1] = now
        return self.users[entry[0]]

    def is_valid(self, session_id: str | None, now: float) -> bool:
        try:
            self.user(session_id, now)
        except Unauthorized:
            return False
        return True
