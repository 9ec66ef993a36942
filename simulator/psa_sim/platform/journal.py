"""Durability: every acknowledged change, journaled in SQLite before it is acknowledged.

The simulation is deterministic, so the server's whole state (catalog, instances, jobs,
tokens, ports, loops, transitions in flight) is a function of its configuration and of
the changes it accepted, each at its simulated time. Restarting replays them on a fresh
simulation, then runs the clock to where it stood: what was in flight resumes. Each
change is committed (WAL, synchronous=FULL) before its answer leaves, so `kill -9` loses
nothing acknowledged.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    sim_time REAL NOT NULL,
    name TEXT NOT NULL,
    args TEXT NOT NULL
);
"""


def _encode(value: object) -> object:
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


class Journal:
    """The changes log; `path` None keeps nothing (state lives in memory only)."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        if path is not None:
            self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)

    @property
    def durable(self) -> bool:
        return self._db is not None

    def get(self, key: str) -> Any:
        if self._db is None:
            return None
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, value: object) -> None:
        if self._db is not None:
            self._db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, json.dumps(value))
            )

    def append(self, sim_time: float, name: str, args: dict[str, object]) -> None:
        if self._db is not None:
            self._db.execute(
                "INSERT INTO changes (sim_time, name, args) VALUES (?, ?, ?)",
                (sim_time, name, json.dumps(_encode(args))),
            )

    def changes(self) -> Iterator[tuple[float, str, dict[str, Any]]]:
        if self._db is None:
            return
        for sim_time, name, args in self._db.execute(
            "SELECT sim_time, name, args FROM changes ORDER BY seq"
        ):
            yield sim_time, name, _decode(json.loads(args))

    def clear_changes(self) -> None:
        if self._db is not None:
            self._db.execute("DELETE FROM changes")

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
