"""Passwords (plain, bcrypt, Argon2) and the login throttle, without HTTP."""

from __future__ import annotations

from pathlib import Path

import bcrypt
import pytest
from argon2 import PasswordHasher

from psa_sim.errors import InvalidInput, TooManyRequests
from psa_sim.platform.auth import User, load_users, verify_password
from psa_sim.platform.throttle import FREE_FAILURES, MAX_DELAY, LoginThrottle


def test_plain_bcrypt_and_argon2_passwords(tmp_path: Path) -> None:
    users = tmp_path / "users.yaml"
    hashed = bcrypt.hashpw(b"b-pw", bcrypt.gensalt(rounds=4)).decode()
    argon = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("a-pw")
    users.write_text(
        "- {name: plain, password: p-pw}\n"
        f"- {{name: bee, password: '{hashed}', groups: [team]}}\n"
        f"- {{name: argo, password: '{argon}'}}\n"
    )
    loaded = load_users(users)
    assert verify_password(loaded["plain"], "p-pw") and not verify_password(loaded["plain"], "x")
    assert verify_password(loaded["bee"], "b-pw") and not verify_password(loaded["bee"], "p-pw")
    assert verify_password(loaded["argo"], "a-pw") and not verify_password(loaded["argo"], "b")
    assert loaded["bee"].groups == ("team",) and loaded["bee"].hashed
    assert not verify_password(None, "anything")


def test_a_malformed_hash_is_refused_at_start(tmp_path: Path) -> None:
    users = tmp_path / "users.yaml"
    users.write_text("- {name: x, password: '$2b$12$not-a-hash'}\n")
    with pytest.raises(InvalidInput, match=r"users\[0\].password"):
        load_users(users)


def test_a_password_that_is_not_a_hash_never_matches_a_hash() -> None:
    user = User("u", "$2b$04$" + "a" * 53)
    assert not verify_password(user, "$2b$04$" + "a" * 53)


def test_failures_beyond_the_free_ones_block_with_a_growing_delay() -> None:
    throttle = LoginThrottle()
    now = 1000.0
    for _ in range(FREE_FAILURES):
        throttle.check("alice", "10.0.0.1", now)
        throttle.failed("alice", "10.0.0.1", now)
    throttle.check("alice", "10.0.0.1", now)  # the free ones cost nothing
    throttle.failed("alice", "10.0.0.1", now)
    with pytest.raises(TooManyRequests) as refused:
        throttle.check("alice", "10.0.0.9", now + 0.5)  # the user name is blocked
    assert refused.value.retry_after == 1
    with pytest.raises(TooManyRequests, match=r"address 10\.0\.0\.1"):
        throttle.check("bob", "10.0.0.1", now + 0.5)  # and so is the address
    throttle.check("bob", "10.0.0.2", now + 0.5)  # others are not
    throttle.check("alice", "10.0.0.9", now + 1.0)
    throttle.failed("alice", "10.0.0.9", now + 1.0)
    with pytest.raises(TooManyRequests) as refused:
        throttle.check("alice", "10.0.0.9", now + 2.5)
    assert refused.value.retry_after == 1  # 2 s from the failure at now + 1
    for k in range(20):
        throttle.failed("alice", "10.0.0.9", now + 3 + k)
    with pytest.raises(TooManyRequests) as refused:
        throttle.check("alice", "10.0.0.9", now + 23)
    assert refused.value.retry_after <= MAX_DELAY


def test_a_success_clears_and_loopback_is_counted_by_name_only() -> None:
    throttle = LoginThrottle()
    for _ in range(FREE_FAILURES + 1):
        throttle.failed("alice", "127.0.0.1", 0.0)
    throttle.check("bob", "127.0.0.1", 0.1)  # local clients are not locked out together
    with pytest.raises(TooManyRequests):
        throttle.check("alice", "127.0.0.1", 0.1)
    throttle.succeeded("alice", "127.0.0.1")
    throttle.check("alice", "127.0.0.1", 0.1)
