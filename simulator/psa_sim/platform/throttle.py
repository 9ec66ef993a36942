"""Login throttling: repeated failures slow down, per user name and per client address.

The first FREE_FAILURES failures within FORGET_AFTER seconds cost nothing; each further
one blocks its user name and its address for a delay that doubles (1 s, 2 s, 4 s … up to
MAX_DELAY), during which logins for that name or from that address are refused with 429
and a Retry-After, without checking the password (else an attacker could still test
passwords at full speed). A successful login clears its name and address: a user who
types their password right pays nothing. Memory is bounded (oldest entries forgotten).

Loopback clients are counted by user name only: every local client (a test suite, the
Ansible collection on the same host, a CI job) shares 127.0.0.1, and one failing script
must not lock the others out.
"""

from __future__ import annotations

import ipaddress
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

from psa_sim.errors import TooManyRequests

FREE_FAILURES = 5
MAX_DELAY = 60.0
FORGET_AFTER = 900.0
MAX_ENTRIES = 100_000


@dataclass(slots=True)
class _Record:
    failures: int
    last_failure: float
    blocked_until: float


class LoginThrottle:
    def __init__(self) -> None:
        self._records: OrderedDict[tuple[str, str], _Record] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, username: str, address: str | None, now: float) -> None:
        """Raise 429 if this name or this address must still wait."""
        with self._lock:
            for key in self._keys(username, address):
                record = self._records.get(key)
                if record is not None and record.blocked_until > now:
                    wait = record.blocked_until - now
                    what = f"user '{username}'" if key[0] == "user" else f"address {address}"
                    raise TooManyRequests(
                        f"login: too many failed logins for {what}: retry in {wait:.0f} s",
                        retry_after=max(1, math.ceil(wait)),
                    )

    def failed(self, username: str, address: str | None, now: float) -> None:
        with self._lock:
            for key in self._keys(username, address):
                record = self._records.pop(key, None)
                if record is None or now - record.last_failure > FORGET_AFTER:
                    record = _Record(0, now, now)
                record.failures += 1
                record.last_failure = now
                extra = record.failures - FREE_FAILURES
                if extra > 0:
                    record.blocked_until = now + min(MAX_DELAY, 2.0 ** (extra - 1))
                self._records[key] = record  # most recent last
            while len(self._records) > MAX_ENTRIES:
                self._records.popitem(last=False)

    def succeeded(self, username: str, address: str | None) -> None:
        with self._lock:
            for key in self._keys(username, address):
                self._records.pop(key, None)

    @staticmethod
    def _keys(username: str, address: str | None) -> list[tuple[str, str]]:
        keys = [("user", username)]
        if address and not _loopback(address):
            keys.append(("address", address))
        return keys


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
