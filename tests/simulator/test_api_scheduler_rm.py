"""Scheduler jobs and the resource manager over HTTP (docs/wire-contract.md, section 4)."""

from __future__ import annotations

import re
import uuid

import requests
from api_helpers import assert_error

# The shared servers and clients (admin, shared_server, manual_admin, manual_server).
pytest_plugins = ["api_fixtures"]

PA_LIST = re.compile(r"^PA:LIST\((,[^,()]+)*\)$")


def _running_mongo(admin) -> dict:
    name = f"job-{uuid.uuid4().hex[:8]}"
    iid = admin.create("MongoDB", {"INSTANCE_NAME": name})["instance_id"]
    return admin.wait_status(iid, "RUNNING")


def _items(text: str) -> list[str]:
    assert PA_LIST.match(text), text
    return [x for x in text[len("PA:LIST(") : -1].split(",") if x]


def test_job_state_result_and_log(admin):
    data = _running_mongo(admin)
    job_id = data["job_submissions"][0]["job_id"]
    r = admin.get(f"/rest/scheduler/jobs/{job_id}")
    assert r.status_code == 200, r.text
    job = r.json()
    assert job["id"] == job_id
    assert job["name"] == "MongoDB"
    assert job["owner"] == "admin"
    # The activation job keeps looping on its health check while the instance runs.
    assert job["jobInfo"]["status"] == "RUNNING"
    assert job["jobInfo"]["submittedTime"] > 0
    assert job["genericInformation"]["pca.service.id"] == "MongoDB"
    assert "tasks" in job

    result = admin.get(f"/rest/scheduler/jobs/{job_id}/result").json()
    assert result["id"] == {"id": job_id, "readableName": "MongoDB"}  # JobIdData
    propagated = [t["propagatedVariables"] for t in result["allResults"].values()]
    assert propagated and propagated[0]["INSTANCE_NAME"] == data["variables"]["INSTANCE_NAME"]

    log = admin.get(f"/rest/scheduler/jobs/{job_id}/log/full")
    assert log.status_code == 200
    assert log.headers["content-type"].startswith("text/plain")
    assert str(job_id) in log.text


def test_kill_job_puts_its_instance_in_error(admin):
    data = _running_mongo(admin)
    job_id = data["job_submissions"][0]["job_id"]
    r = admin.put(f"/rest/scheduler/jobs/{job_id}/kill")
    assert r.status_code == 200, r.text
    assert r.json() is True
    assert admin.wait_status(data["instance_id"], "ERROR")["instance_status"] == "ERROR"
    assert admin.get(f"/rest/scheduler/jobs/{job_id}").json()["jobInfo"]["status"] == "KILLED"
    assert_error(admin.put(f"/rest/scheduler/jobs/{job_id}/kill"), 409, "KILLED")
    # From ERROR the finishing action runs on the node that still holds the token.
    admin.action(data["instance_id"], "Finish_MongoDB")
    admin.wait_status(data["instance_id"], "FINISHED")


def test_rm_lists_are_plain_text_without_a_session(shared_server, admin):
    data = _running_mongo(admin)
    token = "PSA_" + data["variables"]["INSTANCE_NAME"]
    for what in ("hosts", "nodesources", "tokens"):
        r = requests.get(f"{shared_server.url}/rest/rm/model/{what}")
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/plain")
        assert PA_LIST.match(r.text), r.text
    assert "LocalNodes" in _items(
        requests.get(f"{shared_server.url}/rest/rm/model/nodesources").text
    )
    assert data["deployments"][0]["node"]["host"] in _items(
        requests.get(f"{shared_server.url}/rest/rm/model/hosts").text
    )
    assert token in _items(requests.get(f"{shared_server.url}/rest/rm/model/tokens").text)


def test_node_tokens_by_headers(shared_server, admin):
    node_url = _running_mongo(admin)["deployments"][0]["node"]["url"]
    token = f"MY_TOKEN_{uuid.uuid4().hex[:6]}"
    tokens_url = f"{shared_server.url}/rest/rm/model/tokens"
    headers = {"nodeurl": node_url, "token": token}

    assert_error(requests.post(f"{shared_server.url}/rest/rm/node/token", headers=headers), 401)
    r = admin.post("/rest/rm/node/token", headers=headers)
    assert r.status_code == 204, r.text
    assert token in _items(requests.get(tokens_url).text)
    r = admin.delete("/rest/rm/node/token", headers=headers)
    assert r.status_code == 204, r.text
    assert token not in _items(requests.get(tokens_url).text)
    assert_error(admin.delete("/rest/rm/node/token", headers=headers), 404, token)
    assert_error(
        admin.post("/rest/rm/node/token", headers={"nodeurl": "pnp://nowhere/x", "token": token}),
        404,
        "nowhere",
    )
    assert_error(admin.post("/rest/rm/node/token", headers={"token": token}), 400, "nodeurl")


def test_faults_through_the_admin_api(manual_admin):
    admin = manual_admin
    iid = admin.create("MongoDB", {"INSTANCE_NAME": f"crash-{uuid.uuid4().hex[:8]}"})["instance_id"]
    admin.advance(600)
    assert admin.instance(iid)["instance_status"] == "RUNNING"
    r = admin.post("/sim-api/faults/crash", json={"instance_id": iid})
    assert r.status_code == 200, r.text
    # The health loop notices at its next check, a minute later at most.
    assert admin.instance(iid)["instance_status"] == "RUNNING"
    admin.advance(61)
    assert admin.instance(iid)["instance_status"] == "ERROR"
    assert_error(admin.post("/sim-api/faults/crash", json={"instance_id": iid}), 400, "instance_id")
    assert_error(admin.post("/sim-api/faults/crash", json={"instance_id": 987654}), 404)
    assert_error(admin.post("/sim-api/faults/crash", json={"instance_id": "x"}), 400, "instance_id")

    metrics = admin.get("/sim-api/metrics").json()
    assert metrics["instances"]["ERROR"] >= 1
    node = metrics["nodes"][-1]["name"]
    r = admin.post("/sim-api/faults/node-failure", json={"node": node, "repair_after": 30})
    assert r.status_code == 200, r.text
    assert r.json()["up"] is False
    admin.advance(31)
    assert (
        next(n for n in admin.get("/sim-api/metrics").json()["nodes"] if n["name"] == node)["up"]
        is True
    )
    admin.post("/sim-api/faults/node-failure", json={"node": node})
    r = admin.post("/sim-api/faults/node-repair", json={"node": node})
    assert r.status_code == 200 and r.json()["up"] is True
    assert_error(
        admin.post("/sim-api/faults/node-failure", json={"node": "no-such-node"}),
        404,
        "no-such-node",
    )
    assert_error(
        admin.post("/sim-api/faults/node-failure", json={"node": node, "repair_after": -5}),
        400,
        "repair_after",
    )


def test_clock_modes(manual_admin):
    admin = manual_admin
    clock = admin.get("/sim-api/clock").json()
    assert clock["mode"] == "manual"
    assert set(clock) >= {"mode", "speed", "simulated_seconds", "now_ms"}
    before = clock["simulated_seconds"]
    after = admin.advance(10)
    assert after["simulated_seconds"] == before + 10
    assert after["now_ms"] == clock["now_ms"] + 10_000
    assert_error(admin.put("/sim-api/clock", json={"mode": "sundial"}), 400, "mode")
    assert_error(admin.put("/sim-api/clock", json={"mode": "realtime", "speed": 0}), 400, "speed")
    r = admin.put("/sim-api/clock", json={"mode": "realtime", "speed": 100})
    assert r.status_code == 200, r.text
    assert r.json()["mode"] == "realtime" and r.json()["speed"] == 100
    r = admin.put("/sim-api/clock", json={"mode": "manual"})
    assert r.json()["mode"] == "manual"
    assert r.json()["simulated_seconds"] >= after["simulated_seconds"]
