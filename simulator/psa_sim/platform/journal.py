"""Durability: every acknowledged change, journaled in SQLite in the same step as it is
applied.

The simulation is deterministic, so the server's whole state (catalog, instances, jobs,
tokens, ports, loops, transitions in flight) is a function of its configuration and of
the changes it accepted, each at its simulated time. Restarting replays them on a fresh
simulation, then runs the clock to where it stood: what was in flight resumes.

How a change and its journal row stay together (see SimDriver._apply): the driver opens
a write transaction (BEGIN IMMEDIATE) before it applies a change, so a database that is
locked or cannot be written refuses the change before anything moved (503). Once
applied, the row is written and committed (WAL, synchronous=FULL) before the answer
leaves, so `kill -9` loses nothing acknowledged. Should that commit fail, the driver
rebuilds its state from the journal as it stands (replay is deterministic), so memory
never holds a change the database does not.

What the file holds is protected: it is created 0600 (with its lock and key files), the
arguments of every change are encrypted (AES-256-GCM, key in `<db>.key`, 0600), and
sessions are stored by the SHA-256 of their id, never the id itself (see sessions.py).
One server at a time: `<db>.lock` is held with flock(2) while a server runs and names
its process.
"""

from __future__ import annotations

import base64
import fcntl
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from psa_sim.errors import ServiceUnavailable

log = logging.getLogger("psa_sim.journal")

# Version of what the tables hold; a database of another version is refused at start.
FORMAT = 2
# How long (seconds) a write waits for a lock someone else holds on the database before
# the request is refused with 503: the simulation answers nobody while it waits.
DEFAULT_BUSY_TIMEOUT = 0.5
_NONCE = 12

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    sim_time REAL NOT NULL,
    name TEXT NOT NULL,
    args BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshot (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq INTEGER NOT NULL,
    build TEXT NOT NULL,
    state BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    stamp TEXT NOT NULL,
    last_used REAL NOT NULL
);
"""


class DatabaseInUse(Exception):
    """Another server holds the database: this one must not start."""


class IncompatibleDatabase(Exception):
    """The database was written by a psa-sim whose journal format differs."""


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"__bytes__": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__bytes__"}:
            return base64.b64decode(value["__bytes__"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _private_file(path: Path, content: bytes | None = None) -> None:
    """Create `path` readable by its owner only (0600) unless it exists; tighten an
    existing one that others could read."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            log.warning("%s was mode %o: made private (0600)", path, mode)
            path.chmod(0o600)
        return
    with os.fdopen(fd, "wb") as out:
        if content:
            out.write(content)


def _unavailable(path: Path | None, exc: sqlite3.Error) -> ServiceUnavailable:
    return ServiceUnavailable(f"the journal {path} cannot be written ({exc})")


class Journal:
    """The changes log and the sessions; `path` None keeps nothing (memory only).

    Every call may come from the simulation's coroutine or from the HTTP layer (logins):
    a lock keeps the one connection to one user at a time.
    """

    def __init__(self, path: str | Path | None, busy_timeout: float = DEFAULT_BUSY_TIMEOUT):
        self.path = Path(path) if path is not None else None
        self._db: sqlite3.Connection | None = None
        self._lock = threading.RLock()
        self._lock_file: int | None = None
        # The sequence number of the last change written (see SimDriver's snapshots).
        self.last_seq = 0
        if self.path is None:
            self.key = AESGCM.generate_key(bit_length=256)
            self._aead = AESGCM(self.key)
            return
        self._hold(self.path)
        try:
            self.key = self._load_key(self.path)
            self._aead = AESGCM(self.key)
            _private_file(self.path)
            db = sqlite3.connect(
                str(self.path), timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
            self._db = db
            # Space freed by compaction goes back to the file system (takes effect on a
            # new file only: it must precede the first table).
            db.execute("PRAGMA auto_vacuum=INCREMENTAL")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(_SCHEMA)
            self._check_format()
            row = db.execute(
                "SELECT max(seq) FROM (SELECT max(seq) AS seq FROM changes "
                "UNION ALL SELECT last_seq FROM snapshot)"
            ).fetchone()
            self.last_seq = int(row[0] or 0)
        except BaseException:
            self.close()
            raise

    # --- opening ---------------------------------------------------------------------
    def _hold(self, path: Path) -> None:
        """flock(2) on `<db>.lock`, with our pid in it: a second server on the same file
        is refused at once, naming the process that holds it (the lock goes with the
        process, kill -9 included)."""
        lock_path = path.with_name(path.name + ".lock")
        _private_file(lock_path)
        fd = os.open(lock_path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise DatabaseInUse(
                f"{path} is in use by another psa-sim server (pid {holder}, lock file "
                f"{lock_path}): stop it, or give this one another --db"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        self._lock_file = fd

    def _load_key(self, path: Path) -> bytes:
        key_path = path.with_name(path.name + ".key")
        self._key_created = not key_path.exists()
        if self._key_created:
            _private_file(key_path, AESGCM.generate_key(bit_length=256))
        else:
            _private_file(key_path)
        key = key_path.read_bytes()
        if len(key) != 32:
            raise IncompatibleDatabase(f"{key_path}: not a psa-sim key (32 bytes expected)")
        return key

    def _check_format(self) -> None:
        stored = self.get("format")
        if stored is None:
            has_changes = (
                self._db is not None
                and self._db.execute("SELECT 1 FROM changes LIMIT 1").fetchone()
            )
            if has_changes or self.get("config") is not None:
                stored = 1
            else:
                self.put("format", FORMAT)
                return
        if stored == FORMAT and self._key_created and self.count():
            raise IncompatibleDatabase(
                f"{self.path}: its key file {self.path}.key is missing: the changes "
                f"it journaled cannot be read without it"
            )
        if stored != FORMAT:
            raise IncompatibleDatabase(
                f"{self.path}: written by a psa-sim with journal format {stored}, this one "
                f"reads format {FORMAT}: start with a new --db"
            )

    @property
    def durable(self) -> bool:
        return self._db is not None

    # --- meta ------------------------------------------------------------------------
    def get(self, key: str) -> Any:
        if self._db is None:
            return None
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, value: Any) -> None:
        """Raises ServiceUnavailable when the database cannot be written."""
        self._write(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, json.dumps(value))
        )

    # --- changes ---------------------------------------------------------------------
    def transaction(self) -> _Transaction:
        """`with journal.transaction() as t: apply…; t.append(…)`: committed when the
        block ends, rolled back if it raises. Entering raises ServiceUnavailable when the
        database cannot be locked for writing (nothing was applied yet); a failed commit
        raises CommitFailed (the change is in memory only: see SimDriver._apply)."""
        return _Transaction(self)

    def seal(self, args: dict[str, Any]) -> bytes:
        nonce = os.urandom(_NONCE)
        plain = json.dumps(_encode(args), separators=(",", ":")).encode("utf-8")
        return nonce + self._aead.encrypt(nonce, plain, None)

    def unseal(self, blob: bytes) -> dict[str, Any]:
        plain = self._aead.decrypt(blob[:_NONCE], blob[_NONCE:], None)
        decoded: dict[str, Any] = _decode(json.loads(plain))
        return decoded

    def changes(self, after: int = 0) -> Iterator[tuple[float, str, dict[str, Any]]]:
        """The changes journaled after change number `after` (a snapshot's), in order."""
        if self._db is None:
            return
        with self._lock:
            rows = self._db.execute(
                "SELECT sim_time, name, args FROM changes WHERE seq > ? ORDER BY seq", (after,)
            )
            for sim_time, name, args in rows:
                yield sim_time, name, self.unseal(args)

    # --- snapshots -------------------------------------------------------------------
    def snapshot(self) -> tuple[int, str, bytes] | None:
        """(last change included, build that wrote it, state) of the saved snapshot."""
        if self._db is None:
            return None
        with self._lock:
            row = self._db.execute("SELECT last_seq, build, state FROM snapshot").fetchone()
        if row is None:
            return None
        return int(row[0]), str(row[1]), self._aead.decrypt(row[2][:_NONCE], row[2][_NONCE:], None)

    def save_snapshot(self, last_seq: int, build: str, state: bytes) -> None:
        """Keep `state` as of change `last_seq`, and drop the changes it includes: a
        restart then loads it and replays only what came after (compaction)."""
        nonce = os.urandom(_NONCE)
        sealed = nonce + self._aead.encrypt(nonce, state, None)
        with self.transaction():
            self._write(
                "INSERT OR REPLACE INTO snapshot (id, last_seq, build, state) VALUES (1, ?, ?, ?)",
                (last_seq, build, sealed),
            )
            self._write("DELETE FROM changes WHERE seq <= ?", (last_seq,))
        try:
            with self._lock:
                if self._db is not None:
                    self._db.executescript("PRAGMA incremental_vacuum;")  # every page
        except sqlite3.Error as exc:  # only space is at stake
            log.warning("journal: the space compaction freed stays in the file (%s)", exc)

    def clear_snapshot(self) -> None:
        self._write("DELETE FROM snapshot")

    def count(self) -> int:
        if self._db is None:
            return 0
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM changes").fetchone()[0])

    def clear_changes(self) -> None:
        self._write("DELETE FROM changes")

    # --- sessions (see sessions.py) ---------------------------------------------------
    def sessions(self) -> list[tuple[str, str, str, float]]:
        if self._db is None:
            return []
        with self._lock:
            return list(
                self._db.execute("SELECT id_hash, username, stamp, last_used FROM sessions")
            )

    def save_session(self, id_hash: str, username: str, stamp: str, last_used: float) -> None:
        self._write(
            "INSERT OR REPLACE INTO sessions (id_hash, username, stamp, last_used) "
            "VALUES (?, ?, ?, ?)",
            (id_hash, username, stamp, last_used),
        )

    def touch_sessions(self, used: dict[str, float]) -> None:
        if used:
            self._write_many(
                "UPDATE sessions SET last_used = ? WHERE id_hash = ?",
                [(last, id_hash) for id_hash, last in used.items()],
            )

    def drop_sessions(self, id_hashes: list[str]) -> None:
        if id_hashes:
            self._write_many("DELETE FROM sessions WHERE id_hash = ?", [(h,) for h in id_hashes])

    # --- plumbing --------------------------------------------------------------------
    def _write(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        if self._db is None:
            return
        with self._lock:
            try:
                self._db.execute(sql, params)
            except sqlite3.Error as exc:
                raise _unavailable(self.path, exc) from exc

    def _write_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if self._db is None:
            return
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._db.executemany(sql, rows)
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise _unavailable(self.path, exc) from exc

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
        if self._lock_file is not None:
            os.close(self._lock_file)  # releases the flock
            self._lock_file = None


class CommitFailed(ServiceUnavailable):
    """The change was applied in memory but its row could not be committed."""


class _Transaction(AbstractContextManager["_Transaction"]):
    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self.rows: list[tuple[float, str, bytes]] = []

    def append(self, sim_time: float, name: str, args: dict[str, Any]) -> None:
        self.rows.append((sim_time, name, self.journal.seal(args)))

    def __enter__(self) -> _Transaction:
        journal = self.journal
        journal._lock.acquire()
        if journal._db is not None:
            try:
                journal._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                journal._lock.release()
                message = (
                    f"the journal {journal.path} cannot be written ({exc}): the change was not made"
                )
                log.error("%s", message)
                raise ServiceUnavailable(message) from exc
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        journal = self.journal
        db = journal._db
        try:
            if db is None:
                return
            if exc_type is not None:
                _rollback(db)
                return
            try:
                last_seq = journal.last_seq
                for row in self.rows:
                    cursor = db.execute(
                        "INSERT INTO changes (sim_time, name, args) VALUES (?, ?, ?)", row
                    )
                    last_seq = cursor.lastrowid or last_seq
                db.execute("COMMIT")
                journal.last_seq = last_seq
            except sqlite3.Error as error:
                _rollback(db)
                message = (
                    f"the journal {journal.path} cannot be written ({error}): the change "
                    f"was not made"
                )
                log.error("%s", message)
                raise CommitFailed(message) from error
        finally:
            journal._lock.release()


def _rollback(db: sqlite3.Connection) -> None:
    try:
        if db.in_transaction:
            db.execute("ROLLBACK")
    except sqlite3.Error as exc:  # the transaction is gone with the failure that ended it
        log.warning("journal rollback: %s", exc)
