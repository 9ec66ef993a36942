"""Users (from a YAML file, or the demo admin) and how their passwords are checked.

A password in the users file is either plain text or a standard hash, recognised by its
prefix: bcrypt (`$2b$…`, `$2a$…`, `$2y$…`, checked with the `bcrypt` package) or Argon2
(`$argon2id$…`, checked with `argon2-cffi`). Make one with, for instance,
`python -c 'import bcrypt; print(bcrypt.hashpw(b"s3cret", bcrypt.gensalt()).decode())'`.
Checking a hash takes tens to hundreds of milliseconds on purpose: the HTTP layer does it
off the simulation's loop (see SimDriver.login).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from psa_sim.errors import InvalidInput

DEMO_USER = ("admin", "admin")
_BCRYPT = ("$2a$", "$2b$", "$2y$")
_ARGON2 = "$argon2"
_FIELDS = {"name", "password", "admin", "groups"}


@dataclass(frozen=True, slots=True)
class User:
    name: str
    password: str  # plain text, or a bcrypt/Argon2 hash
    admin: bool = False
    groups: tuple[str, ...] = ()

    @property
    def hashed(self) -> bool:
        return self.password.startswith((*_BCRYPT, _ARGON2))


def verify_password(user: User | None, password: str) -> bool:
    """True if `password` is the user's; slow for hashed passwords (run it off-loop)."""
    if user is None:
        # As long as a real check, so that timing does not tell who exists.
        hmac.compare_digest(b"\0" * 16, password.encode("utf-8", "surrogatepass")[:16])
        return False
    given = password.encode("utf-8", "surrogatepass")
    stored = user.password
    if stored.startswith(_BCRYPT):
        try:
            return bcrypt.checkpw(given, stored.encode("ascii"))
        except ValueError:
            return False
    if stored.startswith(_ARGON2):
        try:
            return PasswordHasher().verify(stored, given)
        except (VerificationError, InvalidHashError):
            return False
    # compare_digest: the answer's timing does not tell how much of it matched.
    return hmac.compare_digest(stored.encode("utf-8"), given)


def load_users(path: str | Path | None) -> dict[str, User]:
    """Users from a YAML list of {name, password, admin, groups}; the demo admin without
    a file."""
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
            f"users: '{path}' must hold a non-empty list of {{name, password, admin, groups}}"
        )
    users: dict[str, User] = {}
    for i, entry in enumerate(data):
        if not isinstance(entry, dict) or set(entry) - _FIELDS:
            raise InvalidInput(f"users[{i}]: {entry!r} is not {{name, password, admin, groups}}")
        name, password = entry.get("name"), entry.get("password")
        if not isinstance(name, str) or not name or not isinstance(password, str):
            raise InvalidInput(f"users[{i}]: name and password must be non-empty strings")
        if name in users:
            raise InvalidInput(f"users[{i}].name: '{name}' appears twice")
        groups = entry.get("groups") or []
        if not isinstance(groups, list) or not all(isinstance(g, str) and g for g in groups):
            raise InvalidInput(f"users[{i}].groups: {groups!r} is not a list of group names")
        if password.startswith(_BCRYPT):
            try:
                bcrypt.checkpw(b"", password.encode("ascii"))
            except ValueError:
                raise InvalidInput(f"users[{i}].password: not a valid bcrypt hash") from None
        users[name] = User(name, password, bool(entry.get("admin", False)), tuple(groups))
    return users
