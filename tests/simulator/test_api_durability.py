"""The server's state survives a restart and a kill -9 (same --db), and stays
consistent under 50 clients racing the same action."""

from __future__ import annotations

import signal
import threading

import requests
from api_helpers import INSTANCES, Server

# The shared servers and clients (admin, shared_server, manual_admin, manual_server).
pytest_plugins = ["api_fixtures"]


def _snapshot(client, instance_ids, job_ids) -> dict:
    return {
        "instances": {i: client.instance(i) for i in instance_ids},
        "jobs": {j: client.get(f"/rest/scheduler/jobs/{j}").json() for j in job_ids},
        "clock": client.get("/sim-api/clock").json(),
    }


def test_state_survives_a_graceful_restart(tmp_path):
    db = tmp_path / "psa.db"
    server = Server("--db", db, "--seed", "7")
    try:
        client = server.client()
        first = client.create("MongoDB", {"INSTANCE_NAME": "keep-me", "PROXYFIED": "true"})
        iid = first["instance_id"]
        client.wait_status(iid, "RUNNING")
        client.action(iid, "Pause_MongoDB")
        client.wait_status(iid, "PAUSED")
        second = client.create("MySQL", {"INSTANCE_NAME": "keep-me-too"})["instance_id"]
        client.wait_status(second, "RUNNING")
        jobs = [s["job_id"] for i in (iid, second) for s in client.instance(i)["job_submissions"]]
        before = _snapshot(client, [iid, second], jobs)
    finally:
        code = server.stop(signal.SIGTERM)
    assert code == 0, server.stderr
    assert "Traceback" not in server.stderr, server.stderr

    server = Server("--db", db, "--seed", "7")
    try:
        client = server.client()
        after = _snapshot(client, [iid, second], jobs)
        # Proxyfied URLs carry the new port: compare the rest exactly.
        for snap in (before, after):
            for data in snap["instances"].values():
                for d in data["deployments"]:
                    d["endpoint"]["proxyfiedUrl"] = (d["endpoint"]["proxyfiedUrl"] or "").split(
                        "/cloud-automation-service"
                    )[-1]
        assert after == before
        # It goes on from there.
        client.action(iid, "Resume_MongoDB")
        assert client.wait_status(iid, "RUNNING")["job_submissions"][0]["job_id"] > max(jobs)
    finally:
        assert server.stop() == 0


def test_pending_transition_completes_after_kill_9(tmp_path):
    db = tmp_path / "psa.db"
    server = Server("--db", db, "--clock", "manual")
    client = server.client()
    iid = client.create("MongoDB", {"INSTANCE_NAME": "in-flight"})["instance_id"]
    client.advance(5)
    finish_me = client.create("MongoDB", {"INSTANCE_NAME": "to-finish"})["instance_id"]
    client.advance(3600)
    client.action(finish_me, "Finish_MongoDB")
    client.advance(2)
    fresh = client.create("MongoDB", {"INSTANCE_NAME": "fresh"})["instance_id"]
    before = {i: client.instance(i) for i in (iid, finish_me, fresh)}
    clock = client.get("/sim-api/clock").json()
    assert before[finish_me]["instance_status"] == "RUNNING -> FINISHED"
    assert before[fresh]["instance_status"] == "VOID -> RUNNING"
    assert server.kill9() == -signal.SIGKILL

    server = Server("--db", db, "--clock", "manual")
    try:
        client = server.client()
        assert (
            client.get("/sim-api/clock").json()["simulated_seconds"] == clock["simulated_seconds"]
        )
        after = {i: client.instance(i) for i in (iid, finish_me, fresh)}
        assert after == before
        client.advance(3600)
        assert client.instance(fresh)["instance_status"] == "RUNNING"
        assert client.instance(finish_me)["instance_status"] == "FINISHED"
        assert client.instance(iid)["instance_status"] == "RUNNING"
    finally:
        server.stop()

    # And on an instant clock, what was in flight completes by itself.
    server = Server("--db", db)
    try:
        client = server.client()
        client.action(fresh, "Finish_MongoDB")
        assert client.wait_status(fresh, "FINISHED")["finish_time"] is not None
    finally:
        server.stop()


def test_fifty_clients_race_the_same_action(admin, shared_server):
    iid = admin.create("MongoDB", {"INSTANCE_NAME": "raced"})["instance_id"]
    admin.wait_status(iid, "RUNNING")
    sessions = [shared_server.client() for _ in range(50)]
    barrier = threading.Barrier(len(sessions))
    results: list[requests.Response] = [None] * len(sessions)

    def race(k):
        barrier.wait()
        results[k] = sessions[k].put(
            f"{INSTANCES}/{iid}/action",
            json={
                "bucket_name": "service-automation",
                "workflow_name": "Pause_MongoDB",
                "variables": {"WHO": str(k)},
            },
        )

    threads = [threading.Thread(target=race, args=(k,)) for k in range(len(sessions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    statuses = sorted(r.status_code for r in results)
    assert statuses.count(200) == 1, statuses
    assert statuses.count(409) == 49, statuses
    for r in results:
        if r.status_code == 409:
            assert r.json()["httpErrorCode"] == 409
    winner = next(k for k, r in enumerate(results) if r.status_code == 200)

    final = admin.wait_status(iid, "PAUSED")
    assert [s["transition_state"] for s in final["job_submissions"]] == [
        "RUNNING -> PAUSED",
        "VOID -> RUNNING",
    ]
    assert final["variables"]["WHO"] == str(winner)


def _state_metrics(client) -> dict:
    """/sim-api/metrics but `events_scheduled`: that one counts the engine's timers, and
    a jump over idle health checks sets one more each time a run is cut (a sliced
    advance, the realtime clock), with the same state."""
    metrics = client.get("/sim-api/metrics").json()
    del metrics["events_scheduled"]
    return metrics


def test_reads_are_answered_during_a_long_advance_and_a_replay_gives_its_state(tmp_path):
    db = tmp_path / "psa.db"
    server = Server("--db", db, "--clock", "manual")
    try:
        client = server.client()
        ids = [
            client.create("MongoDB", {"INSTANCE_NAME": f"busy-{i}"})["instance_id"] for i in (1, 2)
        ]
        start = client.advance(600)["simulated_seconds"]
        # A node down for years keeps the health loops' work pending: the advance steps
        # through every check period instead of jumping (seconds of wall time).
        r = client.post(
            "/sim-api/faults/node-failure",
            json={"node": "LocalNodes-node-4", "repair_after": 10 * 365 * 86400},
        )
        assert r.status_code == 200, r.text
        seconds = 200 * 86400
        target = start + seconds
        answers: dict[str, requests.Response] = {}

        def send(name: str, body: dict) -> None:
            answers[name] = server.client().post("/sim-api/advance", json=body, timeout=300)

        advancing = threading.Thread(target=send, args=("long", {"seconds": seconds}))
        advancing.start()
        seen = []
        for _ in range(2000):  # bounded: the advance ends, or we stop asking
            if not advancing.is_alive():
                break
            seen.append(client.get("/sim-api/clock").json()["simulated_seconds"])
            if start < seen[-1] < target and "change" not in answers:
                # A change sent now waits for the advance's end.
                send("change", {"seconds": 1})
        advancing.join(300)
        assert answers["long"].status_code == 200, answers["long"].text
        assert answers["long"].json()["simulated_seconds"] == target
        # Reads were answered while the advance ran (time stood between its two ends)...
        assert any(start < s < target for s in seen), seen[:5]
        # ... and the change sent meanwhile was made after it, never in its middle.
        assert answers["change"].json()["simulated_seconds"] == target + 1
        before = {
            "instances": {i: client.instance(i) for i in ids},
            "clock": client.get("/sim-api/clock").json(),
            "metrics": _state_metrics(client),
        }
    finally:
        assert server.kill9() == -signal.SIGKILL  # no snapshot: the restart replays

    server = Server("--db", db, "--clock", "manual")
    try:
        client = server.client()
        after = {
            "instances": {i: client.instance(i) for i in ids},
            "clock": client.get("/sim-api/clock").json(),
            "metrics": _state_metrics(client),
        }
        assert after == before
    finally:
        server.stop()
