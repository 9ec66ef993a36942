"""Snapshots of the whole simulated server, so that a restart costs what is live, not
everything ever done.

The simulation holds no generator (only events and their callbacks), so the platform
pickles as it stands: catalog, instances, jobs, nodes, tokens, random streams and the
event queue. `cloudpickle` handles the closures some callbacks are. A snapshot restored
and the same changes applied give the very same state as the server it was taken from
(tests/simulator/test_journal_faults.py checks it).

A pickle is only as good as the code that reads it: each snapshot names the build that
wrote it (a digest of psa-sim's sources and of the Python and SimPy versions) and a
different build refuses it clearly. What the platform shares with the driver (users,
sessions, configuration) is left out and put back on load. The journal encrypts the
snapshot (AES-GCM), which also authenticates it: a file someone altered does not load.
"""

from __future__ import annotations

import hashlib
import pickle
import sys
from functools import cache
from pathlib import Path

import cloudpickle  # type: ignore[import-untyped]
import simpy

from psa_sim.platform.auth import User
from psa_sim.platform.platform import Platform, PlatformConfig
from psa_sim.platform.sessions import SessionStore


@cache
def build() -> str:
    """What a snapshot can be read back by: this very code, Python and SimPy."""
    digest = hashlib.sha256()
    digest.update(f"{sys.version_info[:2]} simpy {simpy.__version__}".encode())
    root = Path(__file__).resolve().parents[1]
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def dump(platform: Platform) -> bytes:
    shared = (platform.users, platform.sessions, platform.config)
    platform.users, platform.sessions = {}, None  # type: ignore[assignment]
    try:
        return bytes(cloudpickle.dumps(platform, protocol=pickle.HIGHEST_PROTOCOL))
    finally:
        platform.users, platform.sessions, platform.config = shared


def load(
    state: bytes, config: PlatformConfig, users: dict[str, User], sessions: SessionStore
) -> Platform:
    platform = pickle.loads(state)
    if not isinstance(platform, Platform):
        raise TypeError(f"the snapshot holds a {type(platform).__name__}, not a Platform")
    platform.config = config
    platform.users = users
    platform.sessions = sessions
    platform.sim.public_base = config.public_base  # the port may have changed
    return platform
