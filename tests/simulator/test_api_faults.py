"""Fault injection over HTTP, on a real `psa-sim serve` process with --db: kill -9 at
random points of a concurrent load, a database locked by another process, two servers
on one file. After each, the server answers correctly or refuses clearly, and a restart
replays every acknowledged change with nothing half-applied. Loopback only, bounded."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from api_helpers import BUNDLED, INSTANCES, SIMULATOR_DIR, Server, assert_error

PAUSE = {"bucket_name": BUNDLED, "workflow_name": "Pause_MongoDB"}


def _load(url: str, session: str, stop: threading.Event, acked: dict[int, int]) -> None:
    """Create instances and pause them until the server dies; record what was answered."""
    http = requests.Session()
    http.headers["sessionid"] = session
    try:
        while not stop.is_set():
            r = http.post(
                url + INSTANCES,
                json={"bucket_name": BUNDLED, "workflow_name": "MongoDB", "variables": {}},
                timeout=10,
            )
            if r.status_code != 200:
                continue
            iid = r.json()["instance_id"]
            acked[iid] = 0
            r = http.put(f"{url}{INSTANCES}/{iid}/action", json=PAUSE, timeout=10)
            if r.status_code == 200:
                acked[iid] = 1
    except requests.RequestException:
        return  # the server was killed under us


def test_kill_9_at_random_points_of_a_concurrent_load(tmp_path: Path) -> None:
    rng = random.Random(11)
    db = tmp_path / "psa.db"
    acked: dict[int, int] = {}  # instance id → acknowledged actions
    threads_per_round, rounds = 4, 3
    for _ in range(rounds):
        server = Server("--db", db, "--nodes", "256")
        admin = server.client()
        _check_replayed(admin, acked, in_flight_allowance=threads_per_round * rounds)
        stop = threading.Event()
        workers = [
            threading.Thread(target=_load, args=(server.url, admin.session_id, stop, acked))
            for _ in range(threads_per_round)
        ]
        for worker in workers:
            worker.start()
        time.sleep(rng.uniform(0.3, 1.5))
        server.kill9()
        stop.set()
        for worker in workers:
            worker.join(30)
    assert len(acked) > 0
    server = Server("--db", db, "--nodes", "256")
    try:
        _check_replayed(server.client(), acked, in_flight_allowance=threads_per_round * rounds)
    finally:
        server.stop()


def _check_replayed(admin, acked: dict[int, int], in_flight_allowance: int) -> None:
    listed = {i["instance_id"]: i for i in admin.get(INSTANCES).json()}
    # Every acknowledged change is there...
    for iid, actions in acked.items():
        assert iid in listed, f"acknowledged instance {iid} lost"
        submissions = listed[iid]["job_submissions"]
        assert len(submissions) >= 1 + actions, (iid, submissions)
    # ...and what was never acknowledged is at most the requests in flight at each kill,
    # each whole: an instance has its activation job, an action its job.
    unacknowledged = set(listed) - set(acked)
    assert len(unacknowledged) <= in_flight_allowance, unacknowledged
    for data in listed.values():
        assert data["job_submissions"], data
        assert len(data["job_submissions"]) <= 2, data
    metrics = admin.get("/sim-api/metrics").json()
    assert metrics.get("leaks", []) == [], metrics


def test_a_database_locked_by_another_process(tmp_path: Path) -> None:
    db = tmp_path / "psa.db"
    server = Server("--db", db)
    try:
        admin = server.client()
        first = admin.create("MongoDB")["instance_id"]
        holder = sqlite3.connect(str(db), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            started = time.monotonic()
            r = admin.post(INSTANCES, json={"bucket_name": BUNDLED, "workflow_name": "MongoDB"})
            assert_error(r, 503, "database is locked", str(db))
            assert r.headers["retry-after"]
            assert time.monotonic() - started < 5
            time.sleep(1.5)  # a checkpoint or two fail meanwhile: the loop must live on
            assert [i["instance_id"] for i in admin.get(INSTANCES).json()] == [first]
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        second = admin.create("MongoDB")["instance_id"]
        assert second == first + 1  # the refused change left nothing behind
    finally:
        assert server.kill9() != 0
    assert "database is locked" in server.stderr
    server = Server("--db", db)
    try:
        listed = [i["instance_id"] for i in server.client().get(INSTANCES).json()]
        assert listed == [first, second]
    finally:
        server.stop()


def test_two_servers_on_one_file(tmp_path: Path) -> None:
    db = tmp_path / "psa.db"
    first = Server("--db", db)
    try:
        first.client().create("MongoDB")
        proc = subprocess.run(
            [sys.executable, "-m", "psa_sim", "serve", "--port", "0", "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=60,
            env=_env(),
        )
        assert proc.returncode == 1
        assert str(db) in proc.stderr and f"pid {first.proc.pid}" in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
        # The first one is unharmed.
        assert len(first.client().get(INSTANCES).json()) == 1
    finally:
        first.stop()


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SIMULATOR_DIR), env.get("PYTHONPATH")) if p)
    return env


def test_users_file_changed_between_restarts(tmp_path: Path) -> None:
    db = tmp_path / "psa.db"
    users = tmp_path / "users.yaml"
    users.write_text(
        "- {name: root, password: r00t, admin: true}\n"
        "- {name: alice, password: a}\n- {name: bob, password: b}\n"
    )
    server = Server("--db", db, "--users", users)
    try:
        alice = server.client("alice", "a")
        bob = server.client("bob", "b")  # only logs in
        root = server.client("root", "r00t")
        iid = alice.create("MongoDB")["instance_id"]
        r = root.post(CATALOG_BUCKETS, params={"name": "root-bucket", "owner": "GROUP:ops"})
        assert r.status_code == 201, r.text
    finally:
        server.stop()
    users.write_text("- {name: root, password: r00t}\n- {name: carol, password: c, admin: true}\n")
    server = Server("--db", db, "--users", users)
    try:
        for gone in (alice, bob, root):  # their sessions, on the new server's port
            gone.url = server.url
            assert_error(gone.get(INSTANCES), 401)
        carol = server.client("carol", "c")
        assert carol.instance(iid)["user_name"] == "alice"
        assert "root-bucket" in {b["name"] for b in carol.get(CATALOG_BUCKETS).json()}
        demoted = server.client("root", "r00t")
        assert demoted.get(INSTANCES).json() == []
        assert_error(demoted.get("/sim-api/metrics"), 403)
        assert "Traceback" not in server.stderr
    finally:
        server.stop()


CATALOG_BUCKETS = "/catalog/buckets"
