"""Closed doors over HTTP, tried as a hostile client and as a plain user: sessions before
bodies, bounded bodies and variables, a bounded clock, refused PA:LIST corruption, 431
instead of a reset, login throttling, hashed passwords, and the catalog's rules."""

from __future__ import annotations

import socket
import time

import bcrypt
import pytest
import requests
from api_helpers import BUNDLED, INSTANCES, Server, assert_error

pytest_plugins = ["api_fixtures"]

CATALOG = "/catalog/buckets"


# --- bodies --------------------------------------------------------------------------
def test_a_body_without_a_session_is_refused_before_it_is_read(shared_server):
    junk = b"x" * (5 * 1024 * 1024)
    started = time.monotonic()
    r = requests.post(shared_server.url + INSTANCES, data=junk, timeout=30)
    assert_error(r, 401, "sessionid")
    r = requests.post(
        shared_server.url + INSTANCES, data=junk, headers={"sessionid": "forged"}, timeout=30
    )
    assert_error(r, 401, "unknown or expired")
    assert time.monotonic() - started < 10


def test_bodies_beyond_their_cap_are_413_naming_it(admin):
    big = {"bucket_name": BUNDLED, "workflow_name": "MongoDB", "variables": {"X": "y" * 2_000_000}}
    assert_error(admin.post(INSTANCES, json=big), 413, "request body too large", "1048576")

    def chunks():  # no Content-Length: counted while it streams
        for _ in range(40):
            yield b"y" * 65536

    r = admin.post(INSTANCES, data=chunks(), headers={"content-type": "application/json"})
    assert_error(r, 413, "request body too large")
    # The server is none the worse for it.
    assert admin.get(INSTANCES).status_code == 200


def test_catalog_uploads_have_their_own_cap(tmp_path):
    server = Server("--max-upload-bytes", "4096")
    try:
        admin = server.client()
        r = admin.post(
            f"{CATALOG}/{BUNDLED}/resources",
            params={"kind": "workflow/psa", "name": "Big"},
            files={"file": ("big.xml", b"<job/>" + b" " * 8192)},
        )
        assert_error(r, 413, "catalog upload", "4096")
    finally:
        server.stop()


def test_variables_are_bounded_finite_and_free_of_nul(admin):
    def create(variables, raw=None):
        if raw is not None:
            return admin.post(INSTANCES, data=raw, headers={"content-type": "application/json"})
        return admin.post(
            INSTANCES,
            json={"bucket_name": BUNDLED, "workflow_name": "MongoDB", "variables": variables},
        )

    many = {f"V{i}": "x" for i in range(1001)}
    assert_error(create(many), 413, "1001 variables")
    assert_error(create({"X": "y" * 70_000}), 413, "variables.X")
    raw = '{"bucket_name": "%s", "workflow_name": "MongoDB", "variables": {"X": 1e999}}' % BUNDLED
    assert_error(create(None, raw), 400, "variables.X", "finite")
    assert_error(create({"X": "a\u0000b"}), 400, "variables.X", "NUL")
    assert_error(create({"INSTANCE_NAME": "db1,PSA_db2"}), 400, "INSTANCE_NAME", "PA:LIST")
    before = requests.get(admin.url + "/rest/rm/model/tokens").text
    assert "db2" not in before


def test_a_node_token_cannot_forge_pa_list_entries(admin):
    node_url = "pnp://localnodes-host-1:64738/LocalNodes-node-1"
    r = admin.post("/rest/rm/node/token", headers={"nodeurl": node_url, "token": "a,b"})
    assert_error(r, 400, "token", "PA:LIST")


# --- the HTTP layer itself -----------------------------------------------------------
def test_too_many_or_too_large_headers_are_431_not_a_reset(shared_server):
    host, port = shared_server.url.removeprefix("http://").split(":")
    headers = "".join(f"x-h{i}: {'v' * 1000}\r\n" for i in range(200))
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"GET /rest/rm/model/hosts HTTP/1.1\r\nhost: x\r\n{headers}\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert b'"httpErrorCode":431' in answer
    r = requests.get(
        shared_server.url + "/rest/rm/model/hosts", headers={f"x-{i}": "v" for i in range(150)}
    )
    assert_error(r, 431, "at most 100")


def test_logout_without_a_session_is_401(shared_server):
    assert_error(requests.put(shared_server.url + "/rest/common/logout"), 401, "sessionid")
    r = requests.put(shared_server.url + "/rest/common/logout", headers={"sessionid": "nope"})
    assert_error(r, 401, "sessionid")


# --- the clock -----------------------------------------------------------------------
def test_clock_speed_is_bounded_and_the_server_keeps_answering():
    server = Server("--clock", "manual")
    try:
        admin = server.client()
        for speed in (1e17, 1e999, float("nan")):
            r = admin.put("/sim-api/clock", data='{"mode": "realtime", "speed": %r}' % speed)
            assert r.status_code == 400, r.text
        r = admin.put("/sim-api/clock", json={"mode": "realtime", "speed": 1e6})
        assert r.status_code == 200, r.text
        for _ in range(3):
            admin.create("MongoDB")
        started = time.monotonic()
        for _ in range(10):
            assert admin.get(INSTANCES, timeout=5).status_code == 200
        assert time.monotonic() - started < 5
        clock = admin.get("/sim-api/clock").json()
        assert clock["simulated_seconds"] <= 100 * 365 * 86400
    finally:
        server.stop()


# --- logins --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def plain_users(tmp_path_factory):
    users = tmp_path_factory.mktemp("users") / "users.yaml"
    hashed = bcrypt.hashpw(b"alice-pw", bcrypt.gensalt(rounds=4)).decode()
    users.write_text(
        "- {name: root, password: r00t, admin: true}\n"
        f"- {{name: alice, password: '{hashed}', groups: [team]}}\n"
        "- {name: bob, password: bob-pw}\n"
        "- {name: mallory-target, password: t}\n"
    )
    server = Server("--users", users)
    yield server
    server.stop()


def test_a_bcrypt_hashed_password_logs_in(plain_users):
    assert plain_users.client("alice", "alice-pw").session_id
    r = requests.post(
        plain_users.url + "/rest/common/login", data={"username": "alice", "password": "$2b$"}
    )
    assert_error(r, 401)


def test_repeated_failed_logins_are_throttled_without_slowing_good_ones(plain_users):
    url = plain_users.url + "/rest/common/login"
    statuses = []
    for _ in range(8):
        r = requests.post(url, data={"username": "mallory-target", "password": "guess"})
        statuses.append(r.status_code)
    assert statuses[:5] == [401] * 5
    assert 429 in statuses[5:]
    r = requests.post(url, data={"username": "mallory-target", "password": "t"})
    assert_error(r, 429, "too many failed logins", "mallory-target")
    assert int(r.headers["retry-after"]) >= 1
    # Other users log in at full speed meanwhile.
    started = time.monotonic()
    for _ in range(5):
        assert plain_users.client("bob", "bob-pw").session_id
    assert time.monotonic() - started < 5


# --- the catalog's rules, as a plain user --------------------------------------------
def test_a_plain_user_cannot_change_the_public_bundled_bucket(plain_users):
    bob = plain_users.client("bob", "bob-pw")
    assert_error(bob.delete(f"{CATALOG}/{BUNDLED}/resources/Pause_MongoDB"), 403, "administrators")
    r = bob.post(
        f"{CATALOG}/{BUNDLED}/resources",
        params={"kind": "workflow/psa", "name": "Evil"},
        files={"file": ("evil.xml", b"<job/>")},
    )
    assert_error(r, 403, BUNDLED)
    assert_error(bob.post(CATALOG, params={"name": "mine", "owner": "GROUP:admins"}), 403, "owner")
    # Still there for everyone, and readable by all.
    assert bob.get(f"{CATALOG}/{BUNDLED}/resources/Pause_MongoDB").status_code == 200
    iid = bob.create("MongoDB", {"INSTANCE_NAME": "bobs"})["instance_id"]
    bob.wait_status(iid, "RUNNING")
    bob.action(iid, "Pause_MongoDB")


def test_group_buckets_are_their_groups(plain_users):
    alice = plain_users.client("alice", "alice-pw")
    bob = plain_users.client("bob", "bob-pw")
    root = plain_users.client("root", "r00t")
    r = alice.post(CATALOG, params={"name": "team-bucket", "owner": "GROUP:team"})
    assert r.status_code == 201, r.text
    blob = bytes(range(256))
    r = alice.post(
        f"{CATALOG}/team-bucket/resources",
        params={"kind": "file/binary", "name": "blob"},
        files={"file": ("blob.bin", blob)},
    )
    assert r.status_code == 201, r.text
    raw = alice.get(f"{CATALOG}/team-bucket/resources/blob/raw")
    assert raw.content == blob
    assert raw.headers["content-type"] == "application/octet-stream"
    assert_error(bob.get(f"{CATALOG}/team-bucket/resources"), 403, "team")
    assert_error(bob.get(f"{CATALOG}/team-bucket/resources/blob/raw"), 403)
    assert_error(bob.delete(f"{CATALOG}/team-bucket/resources/blob"), 403)
    assert "team-bucket" not in {b["name"] for b in bob.get(CATALOG).json()}
    assert "team-bucket" in {b["name"] for b in root.get(CATALOG).json()}
    assert root.delete(f"{CATALOG}/team-bucket/resources/blob").status_code == 200
